// ONNX TensorScatter (opset 24, the in-place KV-cache update): the update's sequence is written
// into the cache along `axis` from each batch's write index (wrapping around in `circular` mode),
// lowered onto core ops as a gather of the update at every cache position and a select.

import EFCore
import EFIR

enum TensorScatterImporter {
    /// present[b, ..., s, ...] = update[b, ..., k, ...] where k = s − write_indices[b] (mod the
    /// cache length in circular mode) lies in 0..<update length, else past[b, ..., s, ...].
    /// - Throws: `invalidModel` naming the node when the shapes disagree or axis is the batch axis.
    static func importTensorScatter(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let past = try ctx.requiredInput(node, 0, "past_cache"), update = try ctx.requiredInput(node, 1, "update")
        let (pastType, updateType) = (try lower.type(past), try lower.type(update))
        let rank = pastType.shape.count
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -2, rank: rank, node)
        let mode = try node.attributeString("mode") ?? "linear"
        guard mode == "linear" || mode == "circular" else {
            throw LoweringSupport.unsupported(node, "mode '\(mode)' is not linear or circular")
        }
        let (length, written) = (pastType.shape[axis], updateType.shape[axis])
        var expected = pastType.shape
        expected[axis] = written
        guard axis > 0, pastType.dtype == updateType.dtype, updateType.shape == expected, written <= length else {
            throw LoweringSupport.invalid(node, "past_cache \(pastType) and update \(updateType) must share a dtype "
                + "and every dim but axis \(axis) (not the batch axis), with the update no longer than the cache")
        }
        guard written > 0 else { return lower.bindOutput(0, to: past) }
        let batch = pastType.shape[0]
        let starts: String
        if let indices = ctx.input(node, 2) {
            guard try lower.shape(indices) == [batch] else {
                throw LoweringSupport.invalid(node, "write_indices \(try lower.type(indices)) must be [\(batch)]")
            }
            starts = try lower.reshape(try lower.cast(indices, to: .int64, "write_indices64"), to: [batch, 1], "starts")
        } else {
            starts = try lower.constant(0, .int64, shape: [batch, 1], "starts")
        }
        var offsets = try lower.binary("sub", try lower.positions(length, shape: [1, length], "cache"), starts,
                                       "offsets")
        if mode == "circular" {
            offsets = try lower.binary("mod", offsets, try lower.constant(Double(length), .int64, "length"), "wrapped")
        }
        let inside = try lower.binary("and",
            try lower.binary("greaterOrEqual", offsets, try lower.constant(0, .int64, "zero"), "not_before"),
            try lower.binary("less", offsets, try lower.constant(Double(written), .int64, "written"), "not_after"),
            "inside")
        let safe = try lower.select(inside, offsets, try lower.constant(0, .int64, "first"), "safe_offsets")
        var alongAxis = [Int](repeating: 1, count: rank)
        (alongAxis[0], alongAxis[axis]) = (batch, length)
        let indices = try ctx.emit(.expand, [try lower.reshape(safe, to: alongAxis, "offsets_nd")],
                                   ["shape": .ints(pastType.shape)], from: node, hint: "indices")
        let gathered = try ctx.emit(.gatherElements, [update, indices], ["axis": .int(axis)], from: node,
                                    hint: "written_values")
        let present = try lower.select(try lower.reshape(inside, to: alongAxis, "inside_nd"), gathered, past,
                                       "present_cache")
        lower.bindOutput(0, to: present)
    }
}
