// ONNX NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss lowered onto core ops, as the ONNX
// reference computes them: the target class's entry of each [N, C, d...] row picked with
// gatherElements and negated, times the class weight (zero where the target is ignore_index),
// then no reduction, a sum, or a mean (the weighted sum over the sum of the weights used).
// SoftmaxCrossEntropyLoss takes the loss of logSoftmax(scores) over axis 1 and may give those
// log-probabilities as its second output.

import EFCore
import EFIR

enum LossImporters {
    static let table: [String: OpImporter] = [
        "NegativeLogLikelihoodLoss": importNegativeLogLikelihood, "SoftmaxCrossEntropyLoss": importSoftmaxCrossEntropy,
    ]

    static func importNegativeLogLikelihood(_ node: OnnxNode, _ ctx: ImportContext) throws {
        try emitLoss(node, ctx, logProbabilities: try ctx.requiredInput(node, 0, "input"))
    }

    static func importSoftmaxCrossEntropy(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let scores = try ctx.requiredInput(node, 0, "scores")
        guard try ctx.type(scores).shape.count >= 2 else {
            throw LoweringSupport.invalid(node, "scores must be [N, C, ...]")
        }
        let wanted = node.outputs.count > 1 && !node.outputs[1].isEmpty ? node.outputs[1] : nil
        let logProbabilities = wanted ?? ctx.freshName("\(node.displayName)/log_prob")
        try ctx.emit(.logSoftmax, [scores], ["axis": .int(1)], outputs: [logProbabilities], from: node)
        try emitLoss(node, ctx, logProbabilities: logProbabilities)
    }

    /// The loss of `logProbabilities` [N, C, d...] against input 1 (classes [N, d...]) with the
    /// optional class weights of input 2 [C], into output 0.
    private static func emitLoss(_ node: OnnxNode, _ ctx: ImportContext, logProbabilities x: String) throws {
        let type = try ctx.type(x), target = try ctx.requiredInput(node, 1, "target")
        let targetType = try ctx.type(target), shape = type.shape
        let reduction = try node.attributeString("reduction") ?? "mean"
        guard shape.count >= 2, targetType.shape == [shape[0]] + shape.dropFirst(2), targetType.dtype.isInteger,
              type.dtype.isFloatingPoint, ["none", "sum", "mean"].contains(reduction) else {
            throw LoweringSupport.invalid(node, "input \(type), target \(targetType) and reduction '\(reduction)' do "
                + "not fit ([N, C, d...] floats, [N, d...] integers; none, sum or mean)")
        }
        func binary(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
        }
        func constant(_ value: Double, _ dtype: DType, _ hint: String) throws -> String {
            try LoweringSupport.constant(value, dtype, ctx, node, hint: hint)
        }
        var classes = targetType.dtype == .int64 ? target
            : try ctx.emit(.cast, [target], ["to": .string(DType.int64.rawValue)], from: node, hint: "target")
        var kept: String?
        if let ignored = try node.attributeInt("ignore_index") {
            let ignoredClass = try binary("equal", classes, try constant(Double(ignored), .int64, "ignore_index"),
                                          "ignored")
            kept = try ctx.emit(.unary, [ignoredClass], ["fn": .string("not")], from: node, hint: "kept")
            classes = try ctx.emit(.where, [kept!, classes, try constant(0, .int64, "zero_class")], from: node,
                                   hint: "classes")
        }
        let index = try LoweringSupport.reshape(classes, to: [shape[0], 1] + shape.dropFirst(2), ctx, node,
                                                hint: "index")
        let picked = try ctx.emit(.gatherElements, [x, index], ["axis": .int(1)], from: node, hint: "picked")
        let flat = try LoweringSupport.reshape(picked, to: targetType.shape, ctx, node, hint: "picked_flat")
        let negated = try ctx.emit(.unary, [flat], ["fn": .string("neg")], from: node, hint: "negated")
        var weights: String?
        if let classWeights = ctx.input(node, 2) {
            weights = try ctx.emit(.gather, [classWeights, classes], ["axis": .int(0)], from: node, hint: "weights")
        }
        if let kept {
            let zero = try constant(0, type.dtype, "zero")
            weights = try ctx.emit(.where, [kept, try weights ?? constant(1, type.dtype, "one"), zero], from: node,
                                   hint: "kept_weights")
        }
        let loss = try weights.map { try binary("mul", negated, $0, "weighted") } ?? negated
        let output = try ElementwiseImporters.output(node)
        let all: Attributes = ["fn": .string("sum"), "axes": .ints(Array(targetType.shape.indices)),
                               "keepDims": .int(0)]
        switch (reduction, weights) {
        case ("none", _):
            try ctx.emit(.unary, [loss], ["fn": .string("identity")], outputs: [output], from: node)
        case ("sum", _):
            try ctx.emit(.reduce, [loss], all, outputs: [output], from: node)
        case (_, let weights?):
            let total = try ctx.emit(.reduce, [loss], all, from: node, hint: "total")
            let weightSum = try ctx.emit(.reduce, [weights], all, from: node, hint: "weight_sum")
            try ctx.emit(.binary, [total, weightSum], ["fn": .string("div")], outputs: [output], from: node)
        default:
            var mean = all
            mean["fn"] = .string("mean")
            try ctx.emit(.reduce, [loss], mean, outputs: [output], from: node)
        }
    }
}
