// ONNX BatchNormalization with training_mode = 1 (opset 14+), lowered onto core ops: the
// batch statistics are mean and population variance over N and the spatial axes; Y is
// normalized with them, and the running statistics are blended with momentum.

import EFCore
import EFIR

extension NormalizationImporters {
    /// Y = (X - m) / sqrt(v + epsilon) · scale + B with m, v the per-channel batch mean and
    /// variance; running_mean = input_mean · momentum + m · (1 - momentum), running_var likewise
    /// with v. Outputs 1 and 2 are emitted only when requested, in input_mean's dtype.
    static func importBatchNormTraining(_ node: OnnxNode, _ ctx: ImportContext) throws {
        guard node.outputs.count <= 3 else {
            throw LoweringSupport.unsupported(node, "training_mode = 1 with \(node.outputs.count) outputs " +
                "(the pre-opset-14 saved statistics) is not supported")
        }
        let x = try ctx.requiredInput(node, 0, "X")
        let type = try ctx.type(x)
        let rank = type.shape.count
        guard rank >= 2 else { throw LoweringSupport.invalid(node, "needs an [N, C, ...] input") }
        let channelShape = [type.shape[1]] + [Int](repeating: 1, count: rank - 2)
        func op(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
        }
        func inX(_ value: String, _ hint: String) throws -> String {
            if try ctx.type(value).dtype == type.dtype { return value }
            return try ctx.emit(.cast, [value], ["to": .string(type.dtype.rawValue)], from: node, hint: hint)
        }
        func constant(_ value: Double, _ hint: String) throws -> String {
            try LoweringSupport.constant(value, type.dtype, ctx, node, hint: hint)
        }
        let batchMean: Attributes = ["fn": .string("mean"), "axes": .ints([0] + Array(2..<rank)), "keepDims": .int(1)]
        let mean = try ctx.emit(.reduce, [x], batchMean, from: node, hint: "batch_mean")
        let centered = try op("sub", x, mean, "centered")
        let variance = try ctx.emit(.reduce, [try op("mul", centered, centered, "squares")], batchMean, from: node,
                                    hint: "batch_var")
        let epsilon = try constant(Double(try node.attributeFloat("epsilon") ?? 1e-5), "epsilon")
        let deviation = try ctx.emit(.unary, [try op("add", variance, epsilon, "var_eps")], ["fn": .string("sqrt")],
                                     from: node, hint: "std")
        let normalized = try op("div", centered, deviation, "normalized")
        let scale = try LoweringSupport.reshape(try inX(try ctx.requiredInput(node, 1, "scale"), "scale"),
                                                to: channelShape, ctx, node, hint: "scale_c")
        let bias = try LoweringSupport.reshape(try inX(try ctx.requiredInput(node, 2, "B"), "B"),
                                               to: channelShape, ctx, node, hint: "bias_c")
        try ctx.emit(.binary, [try op("mul", normalized, scale, "scaled"), bias], ["fn": .string("add")],
                     outputs: [try ElementwiseImporters.output(node)], from: node)

        let momentum = Double(try node.attributeFloat("momentum") ?? 0.9)
        let keep = try constant(momentum, "momentum"), blend = try constant(1 - momentum, "one_minus_momentum")
        for (index, role, batch) in [(1, "input_mean", mean), (2, "input_var", variance)]
        where index < node.outputs.count && !node.outputs[index].isEmpty {
            let input = try ctx.requiredInput(node, index + 2, role)
            let running = try inX(input, role)
            let batchRow = try LoweringSupport.reshape(batch, to: [type.shape[1]], ctx, node, hint: "\(role)_batch")
            let terms = [try op("mul", running, keep, "\(role)_kept"), try op("mul", batchRow, blend, "\(role)_new")]
            let dtype = try ctx.type(input).dtype
            if dtype == type.dtype {
                try ctx.emit(.binary, terms, ["fn": .string("add")], outputs: [node.outputs[index]], from: node)
            } else {
                try ctx.emit(.cast, [try op("add", terms[0], terms[1], "\(role)_running")],
                             ["to": .string(dtype.rawValue)], outputs: [node.outputs[index]], from: node)
            }
        }
    }
}
