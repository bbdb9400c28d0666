// A small emitter the transformer importers (Attention, RMSNormalization, RotaryEmbedding,
// SwiGLU) and ReverseSequence share: one ONNX node's core ops (unary, binary, reshape, transpose, slice, ...) with
// IR value names derived from the node, so each lowering reads as its formula.

import EFCore
import EFIR

/// Emits core ops on behalf of one ONNX node. Every method returns the new IR value's name;
/// errors from shape inference name the node.
struct NodeLowering {
    let node: OnnxNode
    let ctx: ImportContext

    func type(_ value: String) throws -> TensorType { try ctx.type(value) }

    func shape(_ value: String) throws -> [Int] { try ctx.type(value).shape }

    /// A constant of `dtype` and `shape` with every element `value`.
    func constant(_ value: Double, _ dtype: DType, shape: [Int] = [], _ hint: String) throws -> String {
        try LoweringSupport.constant(value, dtype, shape: shape, ctx, node, hint: hint)
    }

    /// `fn(x)`; `parameters` adds the unary op's alpha/beta.
    func unary(_ fn: String, _ x: String, _ hint: String, _ parameters: Attributes = [:]) throws -> String {
        var attributes = parameters
        attributes["fn"] = .string(fn)
        return try ctx.emit(.unary, [x], attributes, from: node, hint: hint)
    }

    func binary(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
    }

    func matMul(_ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.matMul, [a, b], [:], from: node, hint: hint)
    }

    func select(_ condition: String, _ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.where, [condition, a, b], [:], from: node, hint: hint)
    }

    /// `x` converted to `dtype` (x itself when it already has that dtype).
    func cast(_ x: String, to dtype: DType, _ hint: String) throws -> String {
        if try type(x).dtype == dtype { return x }
        return try ctx.emit(.cast, [x], ["to": .string(dtype.rawValue)], from: node, hint: hint)
    }

    func reshape(_ x: String, to shape: [Int], _ hint: String) throws -> String {
        try LoweringSupport.reshape(x, to: shape, ctx, node, hint: hint)
    }

    func transpose(_ x: String, _ perm: [Int], _ hint: String) throws -> String {
        try ctx.emit(.transpose, [x], ["perm": .ints(perm)], from: node, hint: hint)
    }

    func concat(_ values: [String], axis: Int, _ hint: String) throws -> String {
        try ctx.emit(.concat, values, ["axis": .int(axis)], from: node, hint: hint)
    }

    /// Reduces `x` over `axes` keeping them as size-1 dims.
    func reduce(_ fn: String, _ x: String, axes: [Int], _ hint: String) throws -> String {
        try ctx.emit(.reduce, [x], ["fn": .string(fn), "axes": .ints(axes), "keepDims": .int(1)], from: node,
                     hint: hint)
    }

    /// `x[start..<end]` with `step` along `axis`; other axes whole.
    func slice(_ x: String, axis: Int, _ start: Int, _ end: Int, step: Int = 1, _ hint: String) throws -> String {
        let shape = try shape(x)
        var starts = [Int](repeating: 0, count: shape.count), ends = shape
        var steps = [Int](repeating: 1, count: shape.count)
        (starts[axis], ends[axis], steps[axis]) = (start, end, step)
        return try ctx.emit(.slice, [x], ["starts": .ints(starts), "ends": .ints(ends), "steps": .ints(steps)],
                            from: node, hint: hint)
    }

    /// Makes the ONNX output `index` (when the node names it) the value `value`.
    func bindOutput(_ index: Int, to value: String) {
        guard index < node.outputs.count, !node.outputs[index].isEmpty else { return }
        ctx.alias(node.outputs[index], to: value)
    }

    /// An int64 constant [0, 1, ..., count - 1] reshaped to `shape`, counted against the
    /// import's generated-constant budget.
    /// - Throws: `unsupported` naming the node when the budget does not allow it.
    func positions(_ count: Int, shape: [Int], _ hint: String) throws -> String {
        guard count >= 0, count <= Int.max / 8, ctx.reserveGenerated(count * 8) else {
            throw LoweringSupport.unsupported(node, "its \(hint) positions (\(count)) exceed the constant budget")
        }
        return ctx.addConstant(Tensor(shape: shape, scalars: (0..<count).map { Int64($0) }),
                               hint: "\(node.displayName)/\(hint)")
    }
}
