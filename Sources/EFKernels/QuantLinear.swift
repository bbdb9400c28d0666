// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear with the ONNX reference's
// arithmetic: the division x / scale in float32 (float16 when both are float16), round half to
// even, add the zero point, saturate; dequantization as (x − zp) · scale in float32.

import EFCore

extension Kernels {
    /// y = saturate(round_half_even(x / scale) + zeroPoint).
    ///
    /// - Parameters:
    ///   - x: float32, float16, bfloat16 or float64.
    ///   - scale: float32/float16/float64, a scalar (or [1]), [x.shape[axis]] per axis, or blocked
    ///     (x's shape with `axis` shrunk to ceil(dim / blockSize)).
    ///   - zeroPoint: nil or the scale's shape in `outputDType`.
    ///   - outputDType: `quantizedDTypes` (float8 and float4e2m1: QuantSmallTypes.swift).
    ///   - saturate: float8 outputs only (ONNX `saturate`); integers always saturate.
    /// - Throws: `EdgeflowError.invalidInput` for unsupported dtypes or mismatched shapes.
    public static func quantizeLinear(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, axis: Int = 1,
                                      blockSize: Int = 0, outputDType: DType, saturate: Bool = true) throws -> Tensor {
        let layout = try QuantParameterLayout(shape: x.shape, scaleShape: scale.shape, axis: axis,
                                              blockSize: blockSize, op: "quantizeLinear")
        guard x.dtype.isFloatingPoint, scale.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidInput,
                "quantizeLinear needs float x and scale, got \(x.dtype.rawValue) and \(scale.dtype.rawValue)")
        }
        try checkZeroPoint(zeroPoint, scale: scale, dtype: outputDType, op: "quantizeLinear")
        if SmallFloatFormat.of(outputDType) != nil {
            return try quantizeToSmallFloat(x, scale: scale, zeroPoint: zeroPoint, layout: layout,
                                            outputDType: outputDType, saturate: saturate)
        }
        guard let range = integerRange(outputDType), outputDType != .int64, outputDType != .uint32 else {
            throw EdgeflowError(.invalidInput, "quantizeLinear cannot produce \(outputDType.rawValue)",
                                hint: "use int2/4/8/16, uint2/4/8/16, int32, float8 or float4e2m1")
        }
        let values = x.doubleValues(), scales = scale.doubleValues()
        let zeros = zeroPoint?.doubleValues() ?? [Double](repeating: 0, count: scales.count)
        var result = [Double](repeating: 0, count: values.count)
        layout.forEachRun { p, run in
            let s = scales[p], zp = zeros[p]
            for i in run {
                let quotient = quantizeQuotient(values[i], s, x.dtype, scale.dtype)
                let rounded = quotient.isNaN ? 0 : min(max(quotient.rounded(.toNearestOrEven), -2147483648), 2147483647)
                result[i] = min(max(rounded + zp, range.lowerBound), range.upperBound)
            }
        }
        return saturatingTensor(from: result, shape: x.shape, dtype: outputDType)
    }

    /// x / scale in the reference's precision: float64 when either is, float16 when both are,
    /// float32 otherwise.
    static func quantizeQuotient(_ x: Double, _ scale: Double, _ xType: DType, _ scaleType: DType) -> Double {
        if xType == .float64 || scaleType == .float64 { return x / scale }
        if xType == .float16 && scaleType == .float16 { return Double(Float16(Float(x) / Float(scale))) }
        return Double(Float(x) / Float(scale))
    }

    /// y = (x − zeroPoint) · scale, computed in float32 and returned in `outputDType`
    /// (default: the scale's dtype). float8 and float4e2m1 x ignore the zero point (the ONNX
    /// reference: it must be zero for float8).
    ///
    /// - Parameters:
    ///   - x: `quantizedDTypes` but float8e8m0.
    ///   - scale, zeroPoint: as `quantizeLinear`; the zero point has x's dtype.
    /// - Throws: `EdgeflowError.invalidInput` for unsupported dtypes or mismatched shapes.
    public static func dequantizeLinear(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, axis: Int = 1,
                                        blockSize: Int = 0, outputDType: DType? = nil) throws -> Tensor {
        let layout = try QuantParameterLayout(shape: x.shape, scaleShape: scale.shape, axis: axis,
                                              blockSize: blockSize, op: "dequantizeLinear")
        guard quantizedDTypes.contains(x.dtype), scale.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidInput,
                "dequantizeLinear needs an integer, float8 or float4 x and a float scale, "
                + "got \(x.dtype.rawValue) and \(scale.dtype.rawValue)")
        }
        try checkZeroPoint(zeroPoint, scale: scale, dtype: x.dtype, op: "dequantizeLinear")
        let out = outputDType ?? scale.dtype
        guard out.isFloatingPoint else {
            throw EdgeflowError(.invalidInput, "dequantizeLinear output must be a float dtype, not \(out.rawValue)")
        }
        let values = x.doubleValues(), scales = scale.doubleValues()
        let floatX = SmallFloatFormat.of(x.dtype) != nil
        let zeros = floatX ? nil : zeroPoint?.doubleValues()
        var result = [Double](repeating: 0, count: values.count)
        layout.forEachRun { p, run in
            let s = Float(scales[p]), zp = Float(zeros?[p] ?? 0)
            for i in run { result[i] = Double((Float(values[i]) - zp) * s) }
        }
        return saturatingTensor(from: result, shape: x.shape, dtype: out)
    }

    /// ONNX DynamicQuantizeLinear on float32 x: the uint8 scale and zero point that map
    /// [min(0, min x), max(0, max x)] onto [0, 255], and x quantized with them.
    /// - Returns: (y uint8 with x's shape, scale float32 scalar, zero point uint8 scalar).
    /// - Throws: `EdgeflowError.invalidInput` when x is not float32.
    public static func dynamicQuantizeLinear(_ x: Tensor) throws -> (Tensor, Tensor, Tensor) {
        guard x.dtype == .float32 else {
            throw EdgeflowError(.invalidInput, "dynamicQuantizeLinear needs float32 x, got \(x.dtype.rawValue)")
        }
        let values = x.scalars(as: Float.self)
        let maxValue = max(0, values.max() ?? 0), minValue = min(0, values.min() ?? 0)
        let scale = (maxValue == minValue ? Float(1) : maxValue - minValue) / Float(255)
        let unclamped = Float(0) - minValue / scale
        // A non-finite input range gives a NaN zero point; 0 keeps the conversion defined.
        let zeroPoint = unclamped.isNaN ? 0 : min(max(unclamped, 0), 255).rounded(.toNearestOrEven)
        let y = values.map { v -> UInt8 in
            let q = (v / scale).rounded(.toNearestOrEven) + zeroPoint
            return q.isNaN ? 0 : UInt8(min(max(q, 0), 255))
        }
        return (Tensor(shape: x.shape, scalars: y), Tensor(scalar: scale), Tensor(scalar: UInt8(zeroPoint)))
    }

    /// The representable range of an integer dtype, nil for others.
    static func integerRange(_ dtype: DType) -> ClosedRange<Double>? {
        switch dtype {
        case .int8: return -128...127
        case .uint8: return 0...255
        case .int16: return -32768...32767
        case .uint16: return 0...65535
        case .int32: return -2147483648...2147483647
        case .uint32: return 0...4294967295
        case .int4, .uint4, .int2, .uint2: return smallIntegerRange(dtype)
        default: return nil
        }
    }

    private static func checkZeroPoint(_ zeroPoint: Tensor?, scale: Tensor, dtype: DType, op: String) throws {
        guard let zeroPoint else { return }
        guard zeroPoint.dtype == dtype else {
            throw EdgeflowError(.invalidInput,
                "\(op): zero point is \(zeroPoint.dtype.rawValue) but should be \(dtype.rawValue)")
        }
        guard zeroPoint.count == scale.count, zeroPoint.shape == scale.shape || zeroPoint.count == 1 else {
            throw EdgeflowError(.invalidInput,
                "\(op): zero point \(zeroPoint.shape.shapeDescription) does not match scale "
                    + scale.shape.shapeDescription)
        }
    }
}
