// The CPU parts around a CLIP text encoder that runs elsewhere (a Hailo HEF, a cut ONNX graph):
// token-embedding lookup and positional embedding before it; end-of-text pooling, projection
// and L2 normalization after it. All tensors are float32 except the ids (int64 or int32).

import EFCore
import Foundation

public enum TextEncoderSplit {
    /// Rows of `table` [V, D] float32 picked by `ids` [N, C] int64/int32 → [N, C, D] float32.
    /// Throws `.invalidInput` for wrong ranks/dtypes or an id outside 0..<V.
    public static func embedTokens(_ ids: Tensor, table: Tensor) throws -> Tensor {
        let values = try idValues(ids, "token ids")
        try requireFloatMatrix(table, "token embedding")
        let (vocabulary, width) = (table.shape[0], table.shape[1])
        if let bad = values.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw EdgeflowError(.invalidInput, "token id \(bad) is outside the embedding table's \(vocabulary) rows",
                                hint: "tokenize with the vocabulary the model was trained with")
        }
        let out = Tensor(zeros: .float32, shape: ids.shape + [width])
        table.withUnsafeBufferPointer(as: Float.self) { rows in
            out.withUnsafeMutableBufferPointer(as: Float.self) { result in
                for (position, id) in values.enumerated() {
                    for d in 0..<width { result[position * width + d] = rows[id * width + d] }
                }
            }
        }
        return out
    }

    /// `embedded` [N, C, D] + `positional` [C, D] (broadcast over N) → [N, C, D] float32.
    /// Throws `.invalidInput` when the shapes do not fit.
    public static func addPositionalEmbedding(_ embedded: Tensor, _ positional: Tensor) throws -> Tensor {
        try requireFloat(embedded, rank: 3, "embedded tokens")
        try requireFloatMatrix(positional, "positional embedding")
        guard Array(embedded.shape.suffix(2)) == positional.shape else {
            throw EdgeflowError(.invalidInput, "positional embedding \(positional.shape) does not fit embedded tokens \(embedded.shape)",
                                hint: "it must be [context, width] of the embedded tokens")
        }
        let block = positional.count
        let out = Tensor(zeros: .float32, shape: embedded.shape)
        embedded.withUnsafeBufferPointer(as: Float.self) { x in
            positional.withUnsafeBufferPointer(as: Float.self) { p in
                out.withUnsafeMutableBufferPointer(as: Float.self) { y in
                    for i in 0..<x.count { y[i] = x[i] + p[i % block] }
                }
            }
        }
        return out
    }

    /// The encoder output row of each sequence's end-of-text token: `hidden` [N, C, D] float32 at
    /// the position of the largest id in each row of `ids` [N, C] (CLIP's `text.argmax(dim=-1)`:
    /// `<|endoftext|>` 49407 is the largest id; on ties the first position) → [N, D].
    /// Throws `.invalidInput` when the shapes do not fit.
    public static func poolEndOfText(_ hidden: Tensor, ids: Tensor) throws -> Tensor {
        let values = try idValues(ids, "token ids")
        try requireFloat(hidden, rank: 3, "encoder output")
        guard Array(hidden.shape.prefix(2)) == ids.shape else {
            throw EdgeflowError(.invalidInput, "encoder output \(hidden.shape) does not match token ids \(ids.shape)",
                                hint: "pass the ids the encoder input was embedded from")
        }
        let (batch, context, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        guard context > 0 else {
            throw EdgeflowError(.invalidInput, "token ids \(ids.shape) have no positions", hint: "the context length must be positive")
        }
        let out = Tensor(zeros: .float32, shape: [batch, width])
        hidden.withUnsafeBufferPointer(as: Float.self) { x in
            out.withUnsafeMutableBufferPointer(as: Float.self) { y in
                for n in 0..<batch {
                    var position = 0
                    for c in 1..<context where values[n * context + c] > values[n * context + position] { position = c }
                    for d in 0..<width { y[n * width + d] = x[(n * context + position) * width + d] }
                }
            }
        }
        return out
    }

    /// `pooled` [N, D] × `projection` [D, E] → [N, E] float32 (sums in float64).
    /// Throws `.invalidInput` when D differs.
    public static func project(_ pooled: Tensor, _ projection: Tensor) throws -> Tensor {
        try requireFloatMatrix(pooled, "pooled rows")
        try requireFloatMatrix(projection, "projection")
        guard pooled.shape[1] == projection.shape[0] else {
            throw EdgeflowError(.invalidInput, "projection \(projection.shape) does not fit pooled rows \(pooled.shape)",
                                hint: "the projection must be [width, embedding size]")
        }
        let (batch, width, embedding) = (pooled.shape[0], pooled.shape[1], projection.shape[1])
        let out = Tensor(zeros: .float32, shape: [batch, embedding])
        pooled.withUnsafeBufferPointer(as: Float.self) { x in
            projection.withUnsafeBufferPointer(as: Float.self) { w in
                out.withUnsafeMutableBufferPointer(as: Float.self) { y in
                    var sums = [Double](repeating: 0, count: embedding)
                    for n in 0..<batch {
                        for e in 0..<embedding { sums[e] = 0 }
                        for d in 0..<width {
                            let value = Double(x[n * width + d])
                            for e in 0..<embedding { sums[e] += value * Double(w[d * embedding + e]) }
                        }
                        for e in 0..<embedding { y[n * embedding + e] = Float(sums[e]) }
                    }
                }
            }
        }
        return out
    }

    /// Each row of `x` [N, E] float32 divided by its L2 norm (a zero row stays zero).
    public static func l2Normalize(_ x: Tensor) throws -> Tensor {
        try requireFloatMatrix(x, "embeddings")
        let (rows, width) = (x.shape[0], x.shape[1])
        let out = Tensor(zeros: .float32, shape: x.shape)
        x.withUnsafeBufferPointer(as: Float.self) { v in
            out.withUnsafeMutableBufferPointer(as: Float.self) { y in
                for r in 0..<rows {
                    var sum = 0.0
                    for e in 0..<width { sum += Double(v[r * width + e]) * Double(v[r * width + e]) }
                    let norm = Float(sum.squareRoot())
                    for e in 0..<width { y[r * width + e] = norm > 0 ? v[r * width + e] / norm : 0 }
                }
            }
        }
        return out
    }

    /// A float32 matrix from a `.npy` file (e.g. a token embedding, projection).
    /// Throws `.io`/`.invalidInput` from the reader, `.invalidInput` when it is not a float32 matrix.
    public static func loadMatrix(npy url: URL) throws -> Tensor {
        let tensor = try NPY.read(contentsOf: url)
        do { try requireFloatMatrix(tensor, url.lastPathComponent) } catch let error as EdgeflowError {
            throw error.prefixed(url.path)
        }
        return tensor
    }

    static func idValues(_ ids: Tensor, _ what: String) throws -> [Int] {
        guard ids.rank == 2, ids.dtype == .int64 || ids.dtype == .int32 else {
            throw EdgeflowError(.invalidInput, "\(what) must be int64 or int32 [N, context], got \(ids)",
                                hint: "use CLIPTokenizer.tokenizeBatch")
        }
        return try ids.intValues()
    }

    static func requireFloatMatrix(_ tensor: Tensor, _ what: String) throws {
        try requireFloat(tensor, rank: 2, what)
    }

    static func requireFloat(_ tensor: Tensor, rank: Int, _ what: String) throws {
        guard tensor.dtype == .float32, tensor.rank == rank else {
            throw EdgeflowError(.invalidInput, "\(what) must be a float32 tensor of rank \(rank), got \(tensor)",
                                hint: "check which matrix of the model this is")
        }
    }
}
