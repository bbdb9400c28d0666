// ONNX DeformConv (deformable convolution v1/v2) over 2-D images: every kernel tap of every
// output position reads the input at its regular position moved by a learned offset, bilinearly
// interpolated (zero outside the image) and scaled by an optional mask, then the taps are
// multiplied with the weights as in a grouped convolution. Computed in Double.

import EFCore

/// Parameters of `Kernels.deformConv`: the convolution window and the number of channel
/// groups that share one set of offsets.
public struct DeformConvParameters: Equatable, Sendable {
    public var window: ConvParameters
    public var offsetGroup: Int

    public init(window: ConvParameters = ConvParameters(), offsetGroup: Int = 1) {
        self.window = window
        self.offsetGroup = offsetGroup
    }
}

extension Kernels {
    /// Deformable convolution of `x` [N, C, H, W] with `weight` [M, C/group, kH, kW], `offset`
    /// [N, offsetGroup·kH·kW·2, oH, oW] (per tap: Δy then Δx), optional `bias` [M] and `mask`
    /// [N, offsetGroup·kH·kW, oH, oW]; returns [N, M, oH, oW] of x's dtype (float).
    /// - Throws: `EdgeflowError.invalidInput` when shapes or dtypes do not fit, C is not
    ///   divisible by offsetGroup, or the offsets' grid is not the convolution's output.
    public static func deformConv(_ x: Tensor, weight: Tensor, offset: Tensor, bias: Tensor?, mask: Tensor?,
                                  _ p: DeformConvParameters) throws -> Tensor {
        let s = try deformConvShapes(x.shape, weight.shape, offset.shape, bias?.shape, mask?.shape, p)
        let operands = [x, weight, offset] + [bias, mask].compactMap { $0 }
        guard operands.allSatisfy({ $0.dtype.isFloatingPoint }) else {
            throw EdgeflowError(.invalidInput, "deformConv: operands must be float, got "
                + operands.map(\.dtype.rawValue).joined(separator: ", "))
        }
        let outputShape = [s.batch, s.outChannels] + s.geometry.outputSpatial
        let output = try makeOutput(.float64, outputShape, "deformConv")
        if output.count == 0 { return try makeOutput(x.dtype, outputShape, "deformConv") }
        let (height, width) = (s.geometry.input[1], s.geometry.input[2])
        let (outHeight, outWidth) = (s.geometry.output[1], s.geometry.output[2])
        let (kernelHeight, kernelWidth) = (s.geometry.kernel[1], s.geometry.kernel[2])
        let taps = kernelHeight * kernelWidth, positions = outHeight * outWidth, rows = s.inPerGroup * taps
        let source = x.doubleValues(), weights = weight.doubleValues(), shifts = offset.doubleValues()
        let scales = mask?.doubleValues(), biases = bias?.doubleValues()
        let channelsPerOffsetGroup = s.inChannels / p.offsetGroup
        var columns = [Double](repeating: 0, count: rows * positions)
        let values = output.mutableElements(Double.self)
        for n in 0..<s.batch {
            for g in 0..<s.group {
                for row in 0..<rows {
                    let c = g * s.inPerGroup + row / taps, tap = row % taps
                    let ky = tap / kernelWidth, kx = tap % kernelWidth
                    let og = c / channelsPerOffsetGroup
                    let plane = (n * s.inChannels + c) * height * width
                    let shiftBase = (n * p.offsetGroup + og) * taps * 2 + tap * 2
                    let maskBase = (n * p.offsetGroup + og) * taps + tap
                    for oy in 0..<outHeight {
                        for ox in 0..<outWidth {
                            let q = oy * outWidth + ox
                            let y = Double(oy * s.geometry.strides[1] - s.geometry.padBegin[1]
                                           + ky * s.geometry.dilations[1]) + shifts[shiftBase * positions + q]
                            let x = Double(ox * s.geometry.strides[2] - s.geometry.padBegin[2]
                                           + kx * s.geometry.dilations[2]) + shifts[(shiftBase + 1) * positions + q]
                            var value = bilinear(source, plane, height, width, y: y, x: x)
                            if let scales { value *= scales[maskBase * positions + q] }
                            columns[row * positions + q] = value
                        }
                    }
                }
                for m in (g * s.outPerGroup)..<((g + 1) * s.outPerGroup) {
                    let out = values + (n * s.outChannels + m) * positions
                    let b = biases?[m] ?? 0
                    for q in 0..<positions { out[q] = b }
                    for row in 0..<rows {
                        let w = weights[m * rows + row]
                        for q in 0..<positions { out[q] += w * columns[row * positions + q] }
                    }
                }
            }
        }
        return x.dtype == .float64 ? output : try cast(output, to: x.dtype)
    }

    /// The output shape [N, M, oH, oW] of deformConv from its operands' shapes.
    /// - Throws: `EdgeflowError.invalidInput` as `deformConv`.
    public static func deformConvShape(_ x: [Int], _ w: [Int], _ offset: [Int], _ bias: [Int]?, _ mask: [Int]?,
                                       _ p: DeformConvParameters) throws -> [Int] {
        let s = try deformConvShapes(x, w, offset, bias, mask, p)
        return [s.batch, s.outChannels] + s.geometry.outputSpatial
    }

    /// Checks the operands of deformConv and returns the convolution's shapes.
    static func deformConvShapes(_ x: [Int], _ w: [Int], _ offset: [Int], _ bias: [Int]?, _ mask: [Int]?,
                                 _ p: DeformConvParameters) throws -> ConvShapes {
        guard x.count == 4 else {
            throw EdgeflowError(.invalidInput, "deformConv: x \(x.shapeDescription) must be [N, C, H, W]")
        }
        let s = try convShapes(x, w, bias, p.window, op: "deformConv")
        guard p.offsetGroup >= 1, s.inChannels % p.offsetGroup == 0 else {
            throw EdgeflowError(.invalidInput,
                "deformConv: offset_group \(p.offsetGroup) must divide the \(s.inChannels) input channels")
        }
        let taps = s.geometry.kernelVolume, grid = s.geometry.outputSpatial
        let (tapCount, overflow) = p.offsetGroup.multipliedReportingOverflow(by: taps)
        guard !overflow, offset == [s.batch, tapCount * 2] + grid else {
            throw EdgeflowError(.invalidInput, "deformConv: offset \(offset.shapeDescription) must be "
                + "[\(s.batch), \(p.offsetGroup)·\(taps)·2, \(grid.map(String.init).joined(separator: ", "))]")
        }
        if let mask, mask != [s.batch, tapCount] + grid {
            throw EdgeflowError(.invalidInput, "deformConv: mask \(mask.shapeDescription) must be "
                + "[\(s.batch), \(tapCount), \(grid.map(String.init).joined(separator: ", "))]")
        }
        try checkColumnBuffer(s, op: "deformConv")
        return s
    }

    /// The bilinear value of one channel plane at (y, x); taps outside the image read 0.
    private static func bilinear(_ source: [Double], _ plane: Int, _ height: Int, _ width: Int,
                                 y: Double, x: Double) -> Double {
        guard y > -1, y < Double(height), x > -1, x < Double(width) else { return 0 }
        let y0 = Int(y.rounded(.down)), x0 = Int(x.rounded(.down))
        let fy = y - Double(y0), fx = x - Double(x0)
        var sum = 0.0
        for (yy, wy) in [(y0, 1 - fy), (y0 + 1, fy)] where yy >= 0 && yy < height {
            for (xx, wx) in [(x0, 1 - fx), (x0 + 1, fx)] where xx >= 0 && xx < width {
                sum += wy * wx * source[plane + yy * width + xx]
            }
        }
        return sum
    }
}
