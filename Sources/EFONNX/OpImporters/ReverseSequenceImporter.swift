// ONNX ReverseSequence lowered onto core ops: per batch entry b, the first sequence_lens[b]
// steps along the time axis are reversed and the rest kept. The source step of every (t, b),
// `t < len ? len - 1 - t : t`, is computed from the (run-time) lengths as a small index grid and
// read with gatherElements. Lengths are clamped to [0, T], so no index leaves the tensor.

import EFCore

enum ReverseSequenceImporter {
    static let table: [String: OpImporter] = ["ReverseSequence": importReverseSequence]

    static func importReverseSequence(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let lengths = try ctx.requiredInput(node, 1, "sequence_lens")
        let shape = try ctx.type(x).shape
        let timeAxis = try node.attributeInt("time_axis") ?? 0, batchAxis = try node.attributeInt("batch_axis") ?? 1
        guard shape.count >= 2, Set([timeAxis, batchAxis]) == [0, 1] else {
            throw LoweringSupport.invalid(node, "needs time_axis and batch_axis 0 and 1 (in either order) on an "
                                              + "input of rank 2 or more, got \(timeAxis), \(batchAxis) "
                                              + "on rank \(shape.count)")
        }
        let (steps, batch) = (shape[timeAxis], shape[batchAxis])
        let lengthType = try ctx.type(lengths)
        guard lengthType.dtype == .int64, lengthType.shape == [batch] else {
            throw LoweringSupport.invalid(node, "sequence_lens must be int64 [\(batch)], got \(lengthType)")
        }
        let lower = NodeLowering(node: node, ctx: ctx)
        let clamped = try clampedLengths(lengths, steps: steps, lower)
        try reversePrefixes(x, lengths: clamped, timeAxis: timeAxis, lower,
                            output: try ElementwiseImporters.output(node))
    }

    /// int64 `lengths` [B] clamped to [0, steps].
    static func clampedLengths(_ lengths: String, steps: Int, _ lower: NodeLowering) throws -> String {
        let zero = try lower.constant(0, .int64, "zero")
        let stepCount = try lower.constant(Double(steps), .int64, "steps")
        return try lower.binary("min", try lower.binary("max", lengths, zero, "nonnegative"), stepCount, "lens")
    }

    /// `x` (time and batch on axes 0 and 1, in the order `timeAxis` says) with the first
    /// `lengths[b]` steps of every batch entry b reversed (lengths clamped to [0, T]), into
    /// `output` when given.
    @discardableResult
    static func reversePrefixes(_ x: String, lengths: String, timeAxis: Int, _ lower: NodeLowering,
                                output: String? = nil) throws -> String {
        let shape = try lower.shape(x)
        let steps = shape[timeAxis], batch = shape[1 - timeAxis]
        // The grid is [T, 1] against [1, B] (or transposed when the batch axis comes first).
        let timeGrid = timeAxis == 0 ? [steps, 1] : [1, steps]
        let batchGrid = timeAxis == 0 ? [1, batch] : [batch, 1]
        let t = try lower.positions(steps, shape: timeGrid, "t")
        let one = try lower.constant(1, .int64, "one")
        let len = try lower.reshape(lengths, to: batchGrid, "lens_grid")
        let reversed = try lower.binary("sub", try lower.binary("sub", len, one, "last"), t, "reversed")
        let inside = try lower.binary("less", t, len, "inside")
        let grid = try lower.select(inside, reversed, t, "source")
        let gridShape = [shape[0], shape[1]] + Array(repeating: 1, count: shape.count - 2)
        let padded = try lower.reshape(grid, to: gridShape, "source_padded")
        let indices = try lower.ctx.emit(.expand, [padded], ["shape": .ints(shape)], from: lower.node, hint: "indices")
        let name = output ?? lower.ctx.freshName("\(lower.node.displayName)/reversed_prefixes")
        try lower.ctx.emit(.gatherElements, [x, indices], ["axis": .int(timeAxis)], outputs: [name], from: lower.node)
        return name
    }
}
