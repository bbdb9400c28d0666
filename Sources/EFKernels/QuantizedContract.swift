// Edgeflow's int8 arithmetic contract (docs/numerics.md), as plain reference kernels: u8
// activations with a zero point, s8 symmetric weights, int32 bias and wrapping int32
// accumulation, then one float32 multiply per output channel, clamp, round half to even. Every
// fast int8 kernel must give these bytes; the quantized emulator runs exactly these functions.

import EFCore

extension Kernels {
    /// One accumulator requantized to u8: t = Float(acc) · multiplier (one float32 multiply, no
    /// FMA), clamped to [lower − zeroPoint, upper − zeroPoint], rounded half to even, plus zeroPoint.
    /// `lower...upper` (within 0...255) is the clamp the fused activation leaves (0...255 without one).
    @inline(__always)
    public static func requantize(_ acc: Int32, multiplier: Float, zeroPoint: Int32, lower: Int32,
                                  upper: Int32) -> UInt8 {
        var t = Float(acc) * multiplier
        t = Swift.min(Swift.max(t, Float(lower &- zeroPoint)), Float(upper &- zeroPoint))
        return UInt8(truncatingIfNeeded: Int32(t.rounded(.toNearestOrEven)) &+ zeroPoint)
    }

    /// Requantizes int32 accumulators to u8; the channel of element i is (i / inner) % channels.
    ///
    /// - Parameters:
    ///   - accumulators: int32, any shape.
    ///   - multipliers: float32 [channels], each finite and positive (s_x·s_w[c]/s_y, rounded once).
    /// - Returns: uint8 with the accumulators' shape.
    /// - Throws: `EdgeflowError.invalidInput` for wrong dtypes or counts, bad multipliers or a clamp
    ///   range outside 0...255.
    public static func requantize(_ accumulators: Tensor, multipliers: Tensor, inner: Int, channels: Int,
                                  zeroPoint: Int32, lower: Int32, upper: Int32) throws -> Tensor {
        try checkRequantization(accumulators, multipliers, inner: inner, channels: channels, op: "requantize")
        guard (0...255).contains(zeroPoint), 0 <= lower, lower <= upper, upper <= 255 else {
            throw EdgeflowError(.invalidInput,
                "requantize: zero point \(zeroPoint) and clamp \(lower)...\(upper) must lie in 0...255")
        }
        let acc = accumulators.scalars(as: Int32.self), m = multipliers.scalars(as: Float.self)
        let y = acc.enumerated().map { i, v in
            requantize(v, multiplier: m[(i / inner) % channels], zeroPoint: zeroPoint, lower: lower, upper: upper)
        }
        return Tensor(shape: accumulators.shape, scalars: y)
    }

    /// int32 accumulators to float32: y = Float(acc) · scales[c] (one float32 multiply), the
    /// channel of element i being (i / inner) % channels.
    /// - Throws: `EdgeflowError.invalidInput` as `requantize`.
    public static func dequantizeAccumulators(_ accumulators: Tensor, scales: Tensor, inner: Int,
                                              channels: Int) throws -> Tensor {
        try checkRequantization(accumulators, scales, inner: inner, channels: channels, op: "dequantize")
        let acc = accumulators.scalars(as: Int32.self), s = scales.scalars(as: Float.self)
        return Tensor(shape: accumulators.shape,
                      scalars: acc.enumerated().map { i, v in Float(v) * s[(i / inner) % channels] })
    }

    /// The int32 accumulators of an int8 convolution: Σ (x − zeroPoint)·w + bias[m], wrapping.
    ///
    /// - Parameters: x uint8 [N, C, spatial...]; weight int8 [M, C/group, kernel...]; bias nil or
    ///   int32 [M]; zeroPoint 0...255.
    /// - Returns: int32 [N, M, out...].
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, shapes or parameters.
    public static func quantizedConvAccumulators(_ x: Tensor, weight: Tensor, bias: Tensor?, zeroPoint: Int32,
                                                 _ parameters: ConvParameters) throws -> Tensor {
        try checkOperands(x, weight, bias, zeroPoint: zeroPoint, channels: weight.shape.first ?? 0, op: "conv")
        let acc = try convInteger(x, weight: weight, xZeroPoint: Tensor(scalar: UInt8(zeroPoint)), wZeroPoint: nil,
                                  parameters)
        guard let bias else { return acc }
        return addBias(acc, bias, inner: acc.shape[2...].reduce(1, *))
    }

    /// The int32 accumulators of an int8 matrix product: (a − zeroPoint)·b + bias[n], wrapping.
    ///
    /// - Parameters: a uint8 [..., M, K]; b int8 [K, N]; bias nil or int32 [N]; zeroPoint 0...255.
    /// - Returns: int32 [..., M, N].
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, shapes or parameters.
    public static func quantizedMatMulAccumulators(_ a: Tensor, _ b: Tensor, bias: Tensor?,
                                                   zeroPoint: Int32) throws -> Tensor {
        guard a.rank >= 2, b.rank == 2 else {
            throw EdgeflowError(.invalidInput,
                "quantized matMul needs a [..., M, K] and b [K, N], got \(a.shape.shapeDescription) and "
                    + b.shape.shapeDescription)
        }
        try checkOperands(a, b, bias, zeroPoint: zeroPoint, channels: b.shape[1], op: "matMul")
        let acc = try matMulInteger(a, b, aZeroPoint: Tensor(scalar: UInt8(zeroPoint)), bZeroPoint: nil)
        guard let bias else { return acc }
        return addBias(acc, bias, inner: 1)
    }

    private static func checkOperands(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, zeroPoint: Int32, channels: Int,
                                      op: String) throws {
        guard x.dtype == .uint8, w.dtype == .int8 else {
            throw EdgeflowError(.invalidInput,
                "quantized \(op) takes uint8 activations and int8 weights, got \(x.dtype.rawValue) and "
                    + w.dtype.rawValue)
        }
        guard (0...255).contains(zeroPoint) else {
            throw EdgeflowError(.invalidInput, "quantized \(op): input zero point \(zeroPoint) is outside 0...255")
        }
        if let bias, bias.dtype != .int32 || bias.shape != [channels] {
            throw EdgeflowError(.invalidInput,
                "quantized \(op): bias must be int32 [\(channels)], got \(bias.dtype.rawValue) "
                    + bias.shape.shapeDescription)
        }
    }

    private static func checkRequantization(_ accumulators: Tensor, _ multipliers: Tensor, inner: Int, channels: Int,
                                            op: String) throws {
        guard accumulators.dtype == .int32, multipliers.dtype == .float32, multipliers.count == channels,
              channels > 0, inner > 0 else {
            throw EdgeflowError(.invalidInput,
                "\(op): needs int32 accumulators and \(channels) float32 multipliers, got "
                + "\(accumulators.dtype.rawValue) "
                + "and \(multipliers.dtype.rawValue) \(multipliers.shape.shapeDescription)")
        }
        guard multipliers.scalars(as: Float.self).allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw EdgeflowError(.invalidInput, "\(op): every multiplier must be finite and positive")
        }
    }

    private static func addBias(_ acc: Tensor, _ bias: Tensor, inner: Int) -> Tensor {
        let b = bias.scalars(as: Int32.self), channels = b.count
        let values = acc.scalars(as: Int32.self).enumerated().map { i, v in v &+ b[(i / inner) % channels] }
        return Tensor(shape: acc.shape, scalars: values)
    }
}
