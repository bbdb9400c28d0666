// N-d grouped convolution (1–3 spatial dims, NCHW): im2col + blocked GEMM per image and group;
// a 1×1 stride-1 unpadded conv multiplies the input planes directly, and depthwise convs
// (one input channel per group) run a direct loop instead.

import EFCore

extension Kernels {
    /// Convolution, float32 or float64 (float16 and bfloat16 computed in float32 and rounded back).
    ///
    /// - Parameters:
    ///   - x: [N, C, spatial...] with 1–3 spatial dims.
    ///   - weight: [M, C/group, kernel...], same dtype.
    ///   - bias: optional [M], same dtype.
    /// - Returns: [N, M, out...] with out = floor((in + padBegin + padEnd − ((k−1)·dilation + 1)) / stride) + 1.
    /// - Throws: `EdgeflowError.invalidInput` for mismatched dtypes or shapes, bad parameters,
    ///   or a padded input smaller than the dilated kernel.
    public static func conv(_ x: Tensor, weight: Tensor, bias: Tensor?, _ parameters: ConvParameters) throws -> Tensor {
        let shape = try convShapes(x.shape, weight.shape, bias?.shape, parameters, op: "conv")
        guard weight.dtype == x.dtype, bias.map({ $0.dtype == x.dtype }) ?? true else {
            throw EdgeflowError(.invalidInput,
                "conv operands must share one dtype, got x \(x.dtype.rawValue), weight \(weight.dtype.rawValue)"
                    + (bias.map { ", bias \($0.dtype.rawValue)" } ?? ""))
        }
        if isHalfFloat(x.dtype) {
            let wide = try conv(cast(x, to: .float32), weight: cast(weight, to: .float32),
                                bias: bias.map { try cast($0, to: .float32) }, parameters)
            return try cast(wide, to: x.dtype)
        }
        let out = try makeOutput(x.dtype, [x.shape[0], weight.shape[0]] + shape.geometry.outputSpatial, "conv")
        try checkColumnBuffer(shape, op: "conv")
        switch x.dtype {
        case .float32: convolve(x, weight, bias, shape, out, Float.self)
        case .float64: convolve(x, weight, bias, shape, out, Double.self)
        default:
            throw EdgeflowError(.invalidInput, "conv supports float32 and float64, not \(x.dtype.rawValue)",
                                hint: "quantized convolutions go through convInteger or qlinearConv")
        }
        return out
    }

    /// Checked conv shapes: batch, channels, group sizes and the window geometry with its output.
    struct ConvShapes {
        var batch: Int, inChannels: Int, outChannels: Int, group: Int
        var geometry: WindowGeometry
        var inPerGroup: Int { inChannels / group }
        var outPerGroup: Int { outChannels / group }
    }

    /// Checks that the im2col buffer ([C/group · kernel volume, output volume]) has a sane size.
    static func checkColumnBuffer(_ s: ConvShapes, op: String) throws {
        let (count, overflow) = (s.inPerGroup * s.geometry.kernelVolume).multipliedReportingOverflow(by: s.geometry.outputVolume)
        guard !overflow, count < 1 << 34 else {
            throw EdgeflowError(.invalidInput,
                "\(op): the unfolded input would need \(overflow ? "more than 2^63" : String(count)) elements")
        }
    }

    /// Validates the operand shapes of a conv-like op (conv, convInteger, qlinearConv).
    static func convShapes(_ x: [Int], _ w: [Int], _ bias: [Int]?, _ parameters: ConvParameters,
                           op: String) throws -> ConvShapes {
        guard x.count >= 3, w.count == x.count else {
            throw EdgeflowError(.invalidInput,
                "\(op): x \(x.shapeDescription) and weight \(w.shapeDescription) must be [N, C, spatial...] and "
                    + "[M, C/group, kernel...] of equal rank ≥ 3")
        }
        let group = parameters.group
        guard group >= 1, x[1] % group == 0, w[0] % group == 0, w[1] == x[1] / group else {
            throw EdgeflowError(.invalidInput,
                "\(op): x has \(x[1]) channels, weight \(w.shapeDescription), group \(group): need C = weight[1]·group and M divisible by group")
        }
        if let bias, bias != [w[0]] {
            throw EdgeflowError(.invalidInput, "\(op): bias \(bias.shapeDescription) must be [\(w[0])]")
        }
        var geometry = try WindowGeometry(op: op, inputSpatial: Array(x.dropFirst(2)), kernel: Array(w.dropFirst(2)),
                                          strides: parameters.strides, dilations: parameters.dilations,
                                          pads: parameters.pads)
        try geometry.setConvOutput(op: op)
        return ConvShapes(batch: x[0], inChannels: x[1], outChannels: w[0], group: group, geometry: geometry)
    }

    private static func convolve<T: GemmScalar>(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ s: ConvShapes,
                                                _ out: Tensor, _ type: T.Type) {
        let g = s.geometry
        let px = x.elements(T.self), pw = weight.elements(T.self)
        let py = out.mutableElements(T.self)
        let pBias = bias.map { $0.elements(T.self) }
        let p = g.outputVolume
        if let pBias {
            for n in 0..<s.batch {
                for m in 0..<s.outChannels { (py + (n * s.outChannels + m) * p).update(repeating: pBias[m], count: p) }
            }
        }
        if s.inPerGroup == 1 && s.group > 1 {
            depthwise(px, pw, py, s)
            return
        }
        let k = s.inPerGroup * g.kernelVolume
        let direct = g.kernelVolume == 1 && g.strides.allSatisfy { $0 == 1 }
            && g.padBegin.allSatisfy { $0 == 0 } && g.padEnd.allSatisfy { $0 == 0 }
        let columns = UnsafeMutablePointer<T>.allocate(capacity: direct ? 0 : k * p)
        defer { columns.deallocate() }
        for n in 0..<s.batch {
            for group in 0..<s.group {
                let input = px + (n * s.inChannels + group * s.inPerGroup) * g.inputVolume
                if !direct { im2col(input, channels: s.inPerGroup, geometry: g, zero: 0, into: columns) }
                gemm(m: s.outPerGroup, n: p, k: k,
                     a: MatrixView(pw + group * s.outPerGroup * k, rowStride: k),
                     b: MatrixView(direct ? input : UnsafePointer(columns), rowStride: p),
                     c: py + (n * s.outChannels + group * s.outPerGroup) * p, ldc: p, accumulate: bias != nil)
            }
        }
    }

    /// Direct loop for convs with one input channel per group: each output plane accumulates
    /// kernel-weighted, strided input rows.
    private static func depthwise<T: GemmScalar>(_ px: UnsafePointer<T>, _ pw: UnsafePointer<T>,
                                                 _ py: UnsafeMutablePointer<T>, _ s: ConvShapes) {
        let g = s.geometry
        let (oh, ow) = (g.output[1], g.output[2])
        let (ih, iw) = (g.input[1], g.input[2])
        let sw = g.strides[2]
        for n in 0..<s.batch {
            for m in 0..<s.outChannels {
                let plane = px + (n * s.inChannels + m / s.outPerGroup) * g.inputVolume
                let outPlane = py + (n * s.outChannels + m) * g.outputVolume
                var weight = pw + m * g.kernelVolume
                g.forEachTap { tap in
                    let w = weight.pointee
                    weight += 1
                    for od in tap.depth.lo..<tap.depth.hi {
                        let id = g.inputDepth(od, tap)
                        for y in tap.height.lo..<tap.height.hi {
                            let src = plane + (id * ih + g.inputRow(y, tap)) * iw + tap.columnOffset
                            let dst = outPlane + (od * oh + y) * ow
                            if sw == 1 {
                                for x in tap.width.lo..<tap.width.hi { dst[x] += w * src[x] }
                            } else {
                                for x in tap.width.lo..<tap.width.hi { dst[x] += w * src[x * sw] }
                            }
                        }
                    }
                }
            }
        }
    }
}
