// The per-batch sequence lengths of an ONNX LSTM, GRU or RNN node (its sequence_lens input, known
// at import or only at run time): step t of batch entry b runs when t < length[b]; past its
// length an entry keeps its state and outputs zeros. A reverse direction runs each entry's own
// prefix backwards: the prefixes are reversed before the forward steps and the outputs after.

import EFCore

struct RecurrentSequenceLengths {
    private let lower: NodeLowering
    /// int64 [B, 1], clamped to [0, steps].
    private let lengths: String
    private let batch: Int
    /// zeros [B, H], what an entry outputs past its length.
    private let zeros: String

    /// The lengths of `node`, or nil when it has no sequence_lens or one known at import that
    /// covers every step (nothing to mask).
    /// - Throws: `invalidModel` naming the node when sequence_lens is not an integer [B].
    init?(_ node: OnnxNode, _ ctx: ImportContext, steps: Int, batch: Int, hidden: Int, dtype: DType) throws {
        guard let given = ctx.input(node, 4) else { return nil }
        let lower = NodeLowering(node: node, ctx: ctx)
        let type = try lower.type(given)
        guard type.dtype.isInteger, type.shape == [batch] else {
            throw LoweringSupport.invalid(node, "sequence_lens \(type) must be an integer [\(batch)]")
        }
        if let known = ctx.constant(given),
           try LoweringSupport.intValues(known, node, "sequence_lens").allSatisfy({ $0 >= steps }) {
            return nil
        }
        let clamped = try ReverseSequenceImporter.clampedLengths(try lower.cast(given, to: .int64, "lens64"),
                                                                 steps: steps, lower)
        self.lower = lower
        self.batch = batch
        lengths = try lower.reshape(clamped, to: [batch, 1], "lens_b1")
        zeros = try lower.constant(0, dtype, shape: [batch, hidden], "zeros")
    }

    /// Whether step `t` lies inside each entry's sequence: bool [B, 1].
    func inside(_ t: Int) throws -> String {
        try lower.binary("less", try lower.constant(Double(t), .int64, "t\(t)"), lengths, "inside\(t)")
    }

    /// `new` where `inside`, `kept` (zeros when nil) elsewhere.
    func select(_ inside: String, _ new: String, _ kept: String?) throws -> String {
        try lower.select(inside, new, kept ?? zeros, "masked")
    }

    /// `x` [T, B, ...] with each entry's first length[b] steps reversed.
    func reversedPrefixes(_ x: String) throws -> String {
        let flat = try lower.reshape(lengths, to: [batch], "lens_b")
        return try ReverseSequenceImporter.reversePrefixes(x, lengths: flat, timeAxis: 0, lower)
    }
}
