// Shape rules for the Linear op group: matMul (numpy matmul), conv, convTranspose and pool.
// The window arithmetic here mirrors the kernels' (EFKernels/ConvGeometry.swift, Pool.swift).

import EFCore
import EFKernels

enum LinearShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        // channelsLast nodes (conv, convTranspose, pool): x and y are [N, spatial..., C].
        guard node.params.isChannelsLast,
              let physical = inputs.first ?? nil, physical.shape.count >= 3 else { return try inferChannelsFirst(node, inputs) }
        let rank = physical.shape.count
        var logical = inputs
        logical[0] = TensorType(physical.dtype, [0, rank - 1].map { physical.shape[$0] } + Array(physical.shape[1..<(rank - 1)]))
        if logical.count > 3, let residual = logical[3] {  // the residual is channels-last like y
            logical[3] = TensorType(residual.dtype, [0, rank - 1].map { residual.shape[$0] } + Array(residual.shape[1..<(rank - 1)]))
        }
        return try inferChannelsFirst(node, logical).map { type in
            type.shape.count == rank ? TensorType(type.dtype, [type.shape[0]] + Array(type.shape[2...]) + [type.shape[1]]) : type
        }
    }

    private static func inferChannelsFirst(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, node.op == .matMul ? "a" : "x")
        switch node.params {
        case .matMul(let p):
            let b = try OpShapes.required(inputs, 1, "b")
            try requireFloat(x, "a"); try requireFloat(b, "b")
            guard x.dtype == b.dtype else {
                throw EdgeflowError(.invalidModel,
                    "matMul operands differ in dtype: \(x.dtype.rawValue) and \(b.dtype.rawValue)")
            }
            let y = TensorType(x.dtype, try matMulShape(x.shape, b.shape))
            if inputs.count > 2, let bias = inputs[2], bias != TensorType(x.dtype, [y.shape.last ?? 1]) {
                throw EdgeflowError(.invalidModel,
                    "matMul bias \(bias) must be \(x.dtype.rawValue)[\(y.shape.last ?? 1)]")
            }
            try checkFusedActivation(p.activation)
            return [y]
        case .conv(let p):
            let w = try OpShapes.required(inputs, 1, "weight")
            try requireFloat(x, "x")
            try requireSameDType(x, [w] + (inputs.count > 2 ? [inputs[2]].compactMap { $0 } : []), "conv")
            if inputs.count > 2, let bias = inputs[2], bias.shape != [w.shape.first ?? 0] {
                throw EdgeflowError(.invalidModel,
                    "conv bias \(bias.shape.shapeDescription) must be [\(w.shape.first ?? 0)]")
            }
            let y = TensorType(x.dtype, try convShape(x.shape, w.shape, p.window))
            if inputs.count > 3, let residual = inputs[3], residual != y {
                throw EdgeflowError(.invalidModel, "conv residual \(residual) must match the output \(y)")
            }
            try checkFusedActivation(p.activation)
            return [y]
        case .convTranspose(let p):
            let w = try OpShapes.required(inputs, 1, "weight")
            try requireFloat(x, "x")
            try requireSameDType(x, [w] + (inputs.count > 2 ? [inputs[2]].compactMap { $0 } : []), "convTranspose")
            return [TensorType(x.dtype, try convTransposeShape(x.shape, w.shape, p))]
        case .pool(let p):
            let shape = try poolShape(x.shape, p.pool)
            let floats: [DType] = [.float32, .float64, .float16, .bfloat16]
            let allowed: [DType] = p.pool.kind == .max ? floats + [.int8, .uint8] : floats
            guard allowed.contains(x.dtype) else {
                throw EdgeflowError(.unsupported,
                    "\(p.pool.kind.rawValue) pooling takes \(allowed.map(\.rawValue).joined(separator: ", ")), not \(x.dtype.rawValue)")
            }
            if node.outputCount == 2 && p.pool.kind == .max {
                return [TensorType(x.dtype, shape), TensorType(.int64, shape)]
            }
            return [TensorType(x.dtype, shape)]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a linear op")
        }
    }

    private static func requireFloat(_ type: TensorType, _ role: String) throws {
        guard type.dtype.isFloatingPoint else {
            throw EdgeflowError(.unsupported, "\(role) is \(type.dtype.rawValue); the kernels take float types")
        }
    }

    private static func requireSameDType(_ x: TensorType, _ others: [TensorType], _ op: String) throws {
        for other in others where other.dtype != x.dtype {
            throw EdgeflowError(.invalidModel,
                "\(op) operands must share one dtype: \(x.dtype.rawValue) vs \(other.dtype.rawValue)")
        }
    }

    /// Numpy matmul result shape (rank-1 operands promoted and the added dim dropped).
    /// Checks the `activation` param of a fused conv or matMul names a unary fn.
    static func checkFusedActivation(_ activation: FusedActivation?) throws {
        guard let fn = activation?.fn.rawValue else { return }
        guard ElementwiseShapes.unaryFunctions.contains(fn), !ElementwiseShapes.boolUnary.contains(fn),
              !ElementwiseShapes.logical.contains(fn) else {
            throw EdgeflowError(.invalidModel, "fused activation '\(fn)' is not a float unary fn")
        }
    }

    static func matMulShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        guard !a.isEmpty, !b.isEmpty else {
            throw EdgeflowError(.invalidModel,
                "matMul operands must have rank ≥ 1, got \(a.shapeDescription) and \(b.shapeDescription)")
        }
        let a2 = a.count == 1 ? [1, a[0]] : a, b2 = b.count == 1 ? [b[0], 1] : b
        guard a2[a2.count - 1] == b2[b2.count - 2] else {
            throw EdgeflowError(.invalidModel,
                "matMul inner dimensions differ: \(a.shapeDescription) · \(b.shapeDescription)")
        }
        var shape = try broadcastShapes(Array(a2.dropLast(2)), Array(b2.dropLast(2)))
        if a.count > 1 { shape.append(a2[a2.count - 2]) }
        if b.count > 1 { shape.append(b2[b2.count - 1]) }
        return shape
    }

    /// The resolved strides, dilations and pads of a window op over the spatial dims `input`.
    static func window(_ parameters: ConvParameters, input: [Int],
                       kernel: [Int]) throws -> (strides: [Int], dilations: [Int], pads: [Int]) {
        let rank = input.count
        func list(_ key: String, _ count: Int, _ fill: Int) throws -> [Int] {
            let values = key == "strides" ? parameters.strides : key == "dilations" ? parameters.dilations : parameters.pads
            if values.isEmpty { return [Int](repeating: fill, count: count) }
            guard values.count == count else {
                throw EdgeflowError(.invalidModel, "'\(key)' has \(values.count) entries, expected \(count)")
            }
            return values
        }
        let window = (try list("strides", rank, 1), try list("dilations", rank, 1), try list("pads", 2 * rank, 0))
        // Bounds that keep every size computation far from Int overflow.
        guard (input + kernel + window.0 + window.1).allSatisfy({ $0 <= 1 << 30 }),
              window.2.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) else {
            throw EdgeflowError(.invalidModel,
                "window sizes, kernel \(kernel), strides \(window.0), dilations \(window.1) or pads \(window.2) exceed 2^30")
        }
        guard (1...3).contains(rank), kernel.count == rank, kernel.allSatisfy({ $0 >= 1 }),
              window.0.allSatisfy({ $0 >= 1 }), window.1.allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidModel,
                "window needs 1–3 spatial dims and kernel, strides, dilations ≥ 1 "
                    + "(kernel \(kernel), strides \(window.0), dilations \(window.1))")
        }
        return window
    }

    /// [N, M, out...] of a convolution of x [N, C, ...] with w [M, C/group, k...].
    static func convShape(_ x: [Int], _ w: [Int], _ parameters: ConvParameters) throws -> [Int] {
        let group = parameters.group
        guard x.count >= 3, w.count == x.count, group >= 1, x[1] % group == 0, w[0] % group == 0,
              case let (channels, false) = w[1].multipliedReportingOverflow(by: group), channels == x[1] else {
            throw EdgeflowError(.invalidModel,
                "conv x \(x.shapeDescription), weight \(w.shapeDescription) and group \(group) do not fit (need weight [M, C/group, kernel...])")
        }
        let rank = x.count - 2, kernel = Array(w.dropFirst(2))
        let (strides, dilations, pads) = try window(parameters, input: Array(x.dropFirst(2)), kernel: kernel)
        guard pads.allSatisfy({ $0 >= 0 }) else { throw EdgeflowError(.invalidModel, "conv pads \(pads) must be ≥ 0") }
        var out = [x[0], w[0]]
        for a in 0..<rank {
            let span = x[a + 2] + pads[a] + pads[a + rank] - ((kernel[a] - 1) * dilations[a] + 1)
            guard span >= 0 else {
                throw EdgeflowError(.invalidModel,
                    "conv: padded input \(x.shapeDescription) is smaller than the dilated kernel \(kernel)")
            }
            out.append(span / strides[a] + 1)
        }
        return out
    }

    /// [N, M, out...] of a transposed convolution of x [N, C, ...] with w [C, M/group, k...].
    static func convTransposeShape(_ x: [Int], _ w: [Int], _ p: ConvTransposeOp) throws -> [Int] {
        let group = p.window.group
        guard x.count >= 3, w.count == x.count, group >= 1, w[0] == x[1], x[1] % group == 0 else {
            throw EdgeflowError(.invalidModel,
                "convTranspose x \(x.shapeDescription), weight \(w.shapeDescription) and group \(group) do not fit "
                    + "(need weight [C, M/group, kernel...])")
        }
        let rank = x.count - 2, kernel = Array(w.dropFirst(2))
        let (strides, dilations, pads) = try window(p.window, input: Array(x.dropFirst(2)), kernel: kernel)
        let extra = p.outputPadding
        guard extra.isEmpty || extra.count == rank, extra.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) else {
            throw EdgeflowError(.invalidModel,
                "'outputPadding' \(extra) must have \(rank) entries between -2^30 and 2^30")
        }
        var out = [x[0], try ShapeArithmetic.product([w[1], group], "convTranspose output channels")]
        for a in 0..<rank {
            let size = strides[a] * (x[a + 2] - 1) + (extra.isEmpty ? 0 : extra[a]) + (kernel[a] - 1) * dilations[a] + 1
                - pads[a] - pads[a + rank]
            guard size >= 1 else { throw EdgeflowError(.invalidModel, "convTranspose output dim \(a) would be \(size)") }
            out.append(size)
        }
        return out
    }

    /// [N, C, out...] of pooling x [N, C, ...]; ceil mode drops a last window that would start
    /// past the input and its begin padding.
    static func poolShape(_ x: [Int], _ parameters: PoolParameters) throws -> [Int] {
        let kernel = parameters.kernel
        guard x.count >= 3 else { throw EdgeflowError(.invalidModel, "pool input \(x.shapeDescription) needs rank ≥ 3") }
        let rank = x.count - 2
        let (strides, dilations, pads) = try window(parameters.window, input: Array(x.dropFirst(2)), kernel: kernel)
        guard pads.allSatisfy({ $0 >= 0 }) else { throw EdgeflowError(.invalidModel, "pool pads \(pads) must be ≥ 0") }
        let ceilMode = parameters.ceilMode
        var out = Array(x.prefix(2))
        for a in 0..<rank {
            let span = x[a + 2] + pads[a] + pads[a + rank] - ((kernel[a] - 1) * dilations[a] + 1)
            guard span >= 0 else {
                throw EdgeflowError(.invalidModel,
                    "pool: padded input \(x.shapeDescription) is smaller than the window \(kernel)")
            }
            var size = (ceilMode ? (span + strides[a] - 1) / strides[a] : span / strides[a]) + 1
            if ceilMode && (size - 1) * strides[a] >= x[a + 2] + pads[a] { size -= 1 }
            out.append(size)
        }
        return out
    }
}
