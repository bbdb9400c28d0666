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
        // The grid is [T, 1] against [1, B] (or transposed when the batch axis comes first).
        let timeGrid = timeAxis == 0 ? [steps, 1] : [1, steps]
        let batchGrid = timeAxis == 0 ? [1, batch] : [batch, 1]
        let t = ctx.addConstant(Tensor(shape: timeGrid, scalars: (0..<steps).map { Int64($0) }),
                                hint: "\(node.displayName)/t")
        let zero = try LoweringSupport.constant(0, .int64, ctx, node, hint: "zero")
        let one = try LoweringSupport.constant(1, .int64, ctx, node, hint: "one")
        let stepCount = try LoweringSupport.constant(Double(steps), .int64, ctx, node, hint: "steps")
        let clamped = try lower.binary("min", try lower.binary("max", lengths, zero, "nonnegative"), stepCount, "lens")
        let len = try LoweringSupport.reshape(clamped, to: batchGrid, ctx, node, hint: "lens_grid")
        let reversed = try lower.binary("sub", try lower.binary("sub", len, one, "last"), t, "reversed")
        let inside = try lower.binary("less", t, len, "inside")
        let grid = try lower.select(inside, reversed, t, "source")
        let gridShape = [shape[0], shape[1]] + Array(repeating: 1, count: shape.count - 2)
        let padded = try LoweringSupport.reshape(grid, to: gridShape, ctx, node, hint: "source_padded")
        let indices = try ctx.emit(.expand, [padded], ["shape": .ints(shape)], from: node, hint: "indices")
        try ctx.emit(.gatherElements, [x, indices], ["axis": .int(timeAxis)],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}
