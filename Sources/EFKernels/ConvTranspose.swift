// N-d grouped transposed convolution (1–3 spatial dims, NCHW): per image and group a GEMM
// Wᵀ·x produces one column per input position and kernel tap, and col2im adds them into the
// output — the exact adjoint of the im2col convolution.

import EFCore

/// Parameters of a transposed convolution. Pads may be negative (an output larger than the
/// natural one, as ONNX output_shape can ask for); empty arrays mean the defaults.
public struct ConvTransposeParameters: Equatable, Sendable {
    public var window: ConvParameters
    /// Extra size added at the end of each spatial dim.
    public var outputPadding: [Int]

    public init(_ window: ConvParameters, outputPadding: [Int] = []) {
        self.window = window
        self.outputPadding = outputPadding
    }
}

extension Kernels {
    /// The output spatial sizes of a transposed convolution:
    /// stride·(in − 1) + outputPadding + (k − 1)·dilation + 1 − padBegin − padEnd.
    /// - Throws: `EdgeflowError.invalidInput` for malformed parameters or a size < 1.
    public static func convTransposeOutputSpatial(inputSpatial: [Int], kernel: [Int],
                                                  _ parameters: ConvTransposeParameters) throws -> [Int] {
        let rank = inputSpatial.count
        let window = parameters.window
        let g = try WindowGeometry(op: "convTranspose", inputSpatial: inputSpatial, kernel: kernel,
                                   strides: window.strides, dilations: window.dilations, pads: window.pads,
                                   allowNegativePads: true)
        let extra = parameters.outputPadding.isEmpty ? [Int](repeating: 0, count: rank) : parameters.outputPadding
        guard extra.count == rank, extra.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidInput, "convTranspose: outputPadding \(extra) must have \(rank) entries ≥ 0")
        }
        var sizes: [Int] = []
        for a in 0..<rank {
            let axis = 3 - rank + a
            let size = g.strides[axis] * (inputSpatial[a] - 1) + extra[a] + g.dilatedKernel(axis)
                - g.padBegin[axis] - g.padEnd[axis]
            guard size >= 1 else {
                throw EdgeflowError(.invalidInput, "convTranspose: output spatial dim \(a) would be \(size)")
            }
            sizes.append(size)
        }
        return sizes
    }

    /// Transposed convolution, float32 or float64 (float16 and bfloat16 computed in float32 and
    /// rounded back).
    ///
    /// - Parameters:
    ///   - x: [N, C, spatial...] with 1–3 spatial dims.
    ///   - weight: [C, M/group, kernel...], same dtype.
    ///   - bias: optional [M].
    /// - Returns: [N, M, out...], out as `convTransposeOutputSpatial`.
    /// - Throws: `EdgeflowError.invalidInput` for mismatched dtypes, shapes or parameters.
    public static func convTranspose(_ x: Tensor, weight: Tensor, bias: Tensor?,
                                     _ parameters: ConvTransposeParameters) throws -> Tensor {
        let w = weight.shape
        let group = parameters.window.group
        guard x.rank >= 3, w.count == x.rank, group >= 1, x.shape[1] % group == 0, w[0] == x.shape[1] else {
            throw EdgeflowError(.invalidInput,
                "convTranspose: x \(x.shape.shapeDescription) and weight \(w.shapeDescription) do not fit group \(group) "
                    + "(need x [N, C, spatial...], weight [C, M/group, kernel...], C divisible by group)")
        }
        let outChannels = w[1] * group
        if let bias, bias.shape != [outChannels] {
            throw EdgeflowError(.invalidInput, "convTranspose: bias \(bias.shape.shapeDescription) must be [\(outChannels)]")
        }
        guard weight.dtype == x.dtype, bias.map({ $0.dtype == x.dtype }) ?? true else {
            throw EdgeflowError(.invalidInput, "convTranspose operands must share one dtype")
        }
        if isHalfFloat(x.dtype) {
            let wide = try convTranspose(cast(x, to: .float32), weight: cast(weight, to: .float32),
                                         bias: bias.map { try cast($0, to: .float32) }, parameters)
            return try cast(wide, to: x.dtype)
        }
        let inputSpatial = Array(x.shape.dropFirst(2)), kernel = Array(w.dropFirst(2))
        let outSpatial = try convTransposeOutputSpatial(inputSpatial: inputSpatial, kernel: kernel, parameters)
        // The forward conv whose adjoint this is: it reads the output grid and writes x's grid.
        var g = try WindowGeometry(op: "convTranspose", inputSpatial: outSpatial, kernel: kernel,
                                   strides: parameters.window.strides, dilations: parameters.window.dilations,
                                   pads: parameters.window.pads, allowNegativePads: true)
        g.output = [Int](repeating: 1, count: 3 - inputSpatial.count) + inputSpatial
        let out = try makeOutput(x.dtype, [x.shape[0], outChannels] + outSpatial, "convTranspose")
        let (columns, overflow) = (w[1] * g.kernelVolume).multipliedReportingOverflow(by: g.outputVolume)
        guard !overflow, columns < 1 << 34 else {
            throw EdgeflowError(.invalidInput, "convTranspose: the column buffer would be too large")
        }
        switch x.dtype {
        case .float32: transpose(x, weight, bias, g, group, out, Float.self)
        case .float64: transpose(x, weight, bias, g, group, out, Double.self)
        default: throw EdgeflowError(.invalidInput, "convTranspose supports float32 and float64, not \(x.dtype.rawValue)")
        }
        return out
    }

    private static func transpose<T: GemmScalar>(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: WindowGeometry,
                                                 _ group: Int, _ out: Tensor, _ type: T.Type) {
        let (batch, inChannels) = (x.shape[0], x.shape[1])
        let inPerGroup = inChannels / group, outPerGroup = weight.shape[1]
        let outChannels = outPerGroup * group
        let rows = outPerGroup * g.kernelVolume
        let positions = g.outputVolume
        let px = x.elements(T.self), pw = weight.elements(T.self)
        let py = out.mutableElements(T.self)
        if let bias {
            let pb = bias.elements(T.self)
            for n in 0..<batch {
                for m in 0..<outChannels {
                    (py + (n * outChannels + m) * g.inputVolume).update(repeating: pb[m], count: g.inputVolume)
                }
            }
        }
        let columns = UnsafeMutablePointer<T>.allocate(capacity: rows * positions)
        defer { columns.deallocate() }
        for n in 0..<batch {
            for grp in 0..<group {
                // Wᵀ for this group: weight rows grp·C/g ..< (grp+1)·C/g, each `rows` long.
                gemm(m: rows, n: positions, k: inPerGroup,
                     a: MatrixView(pw + grp * inPerGroup * rows, rowStride: 1, colStride: rows),
                     b: MatrixView(px + (n * inChannels + grp * inPerGroup) * positions, rowStride: positions),
                     c: columns, ldc: positions, accumulate: false)
                col2imAdd(UnsafePointer(columns), channels: outPerGroup, geometry: g,
                          into: py + (n * outChannels + grp * outPerGroup) * g.inputVolume)
            }
        }
    }
}
