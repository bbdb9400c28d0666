// Quantized convolutions: ConvInteger (exact int32 result of zero-point-shifted operands) and
// QLinearConv (the same plus int32 bias, requantized per output channel). Operands are shifted
// to int32 first, so padding holds the input zero point, as in the ONNX reference.

import EFCore

extension Kernels {
    /// ConvInteger: conv of (x − xZeroPoint) and (w − wZeroPoint) in int32.
    ///
    /// - Parameters: x [N, C, spatial...] and w [M, C/group, kernel...], int8 or uint8;
    ///   xZeroPoint a scalar of x's dtype; wZeroPoint a scalar or [M] of w's dtype.
    /// - Returns: int32 [N, M, out...] (shapes as `conv`).
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, shapes or parameters.
    public static func convInteger(_ x: Tensor, weight: Tensor, xZeroPoint: Tensor?, wZeroPoint: Tensor?,
                                   _ parameters: ConvParameters) throws -> Tensor {
        let shapes = try convShapes(x.shape, weight.shape, nil, parameters, op: "convInteger")
        let sx = try shiftedInt32(x, zeroPoint: xZeroPoint, perAxis: nil, role: "convInteger x")
        let sw = try shiftedInt32(weight, zeroPoint: wZeroPoint, perAxis: 0, role: "convInteger w")
        return try integerConv(sx, sw, bias: nil, shapes)
    }

    /// QLinearConv: the int32 conv of the shifted operands plus `bias`, times xScale·wScale/yScale
    /// per output channel, plus yZeroPoint, rounded half to even and saturated.
    ///
    /// - Parameters: x, w int8/uint8 with scalar xScale/xZeroPoint and scalar or [M] wScale/
    ///   wZeroPoint; yScale and yZeroPoint scalars; bias int32 [M].
    /// - Returns: [N, M, out...] in yZeroPoint's dtype (x's without one).
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, shapes or parameters.
    public static func qlinearConv(x: Tensor, xScale: Tensor, xZeroPoint: Tensor?, weight: Tensor, wScale: Tensor,
                                   wZeroPoint: Tensor?, yScale: Tensor, yZeroPoint: Tensor?, bias: Tensor?,
                                   _ parameters: ConvParameters) throws -> Tensor {
        let shapes = try convShapes(x.shape, weight.shape, bias?.shape, parameters, op: "qlinearConv")
        if let bias, bias.dtype != .int32 {
            throw EdgeflowError(.invalidInput, "qlinearConv: bias must be int32, got \(bias.dtype.rawValue)")
        }
        let sx = try shiftedInt32(x, zeroPoint: xZeroPoint, perAxis: nil, role: "qlinearConv x")
        let sw = try shiftedInt32(weight, zeroPoint: wZeroPoint, perAxis: 0, role: "qlinearConv w")
        let accumulators = try integerConv(sx, sw, bias: bias, shapes)
        let multipliers = try requantMultipliers(xScale, wScale, yScale, channels: shapes.outChannels, op: "qlinearConv")
        return try requantize(accumulators, multipliers: multipliers, inner: shapes.geometry.outputVolume,
                              channels: shapes.outChannels, zeroPoint: yZeroPoint, fallback: x.dtype, op: "qlinearConv")
    }

    /// The int32 convolution of int32 operands: im2col (padding 0) + integer GEMM per image and group.
    private static func integerConv(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ s: ConvShapes) throws -> Tensor {
        let g = s.geometry
        let out = try makeOutput(.int32, [s.batch, s.outChannels] + g.outputSpatial, "convInteger")
        try checkColumnBuffer(s, op: "convInteger")
        let p = g.outputVolume, k = s.inPerGroup * g.kernelVolume
        let px = x.elements(Int32.self), pw = w.elements(Int32.self)
        let py = out.mutableElements(Int32.self)
        let columns = UnsafeMutablePointer<Int32>.allocate(capacity: k * p)
        defer { columns.deallocate() }
        for n in 0..<s.batch {
            for group in 0..<s.group {
                im2col(px + (n * s.inChannels + group * s.inPerGroup) * g.inputVolume, channels: s.inPerGroup,
                       geometry: g, zero: 0, into: columns)
                integerGemm(m: s.outPerGroup, n: p, k: k, a: pw + group * s.outPerGroup * k, lda: k,
                            b: columns, ldb: p, c: py + (n * s.outChannels + group * s.outPerGroup) * p, ldc: p)
            }
        }
        if let bias {
            let pb = bias.elements(Int32.self)
            for n in 0..<s.batch {
                for m in 0..<s.outChannels {
                    let plane = py + (n * s.outChannels + m) * p
                    for i in 0..<p { plane[i] &+= pb[m] }
                }
            }
        }
        return out
    }
}
