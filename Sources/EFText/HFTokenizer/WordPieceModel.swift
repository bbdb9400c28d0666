// The WordPiece model of tokenizer.json (BERT's): greedy longest match from the left, every
// piece after the first written with the continuing prefix ("##"); a word with a part no entry
// matches, or longer than max_input_chars_per_word characters, becomes the unknown token.

import EFCore

/// A WordPiece model read from tokenizer.json.
struct WordPieceModel: Sendable {
    let vocabulary: [[UInt8]: Int32]
    private let unknown: Int32
    private let prefix: [UInt8]
    private let maxCharacters: Int

    /// Reads a model object of type WordPiece.
    /// - Throws: `.invalidModel` naming the field: a vocabulary over the limits, an unknown
    ///   token missing from it.
    init(_ field: JSONField) throws {
        vocabulary = try TokenizerModel.vocabularyObject(field.required("vocab"))
        let unknownField = try field.required("unk_token")
        guard let unknown = vocabulary[Array(try unknownField.string().utf8)] else {
            throw unknownField.error("names a token that is not in the vocabulary")
        }
        self.unknown = unknown
        prefix = Array(try field.string("continuing_subword_prefix", default: "##").utf8)
        maxCharacters = try field.optional("max_input_chars_per_word")?.int(in: 0...10_000) ?? 100
    }

    /// The ids of one piece (never throws).
    func ids(of piece: [Unicode.Scalar]) throws -> [Int32] {
        guard piece.count <= maxCharacters else { return [unknown] }
        var ids: [Int32] = []
        var start = 0
        while start < piece.count {
            var end = piece.count
            var found: Int32?
            while end > start {
                let text = (start > 0 ? prefix : []) + TokenizerModel.utf8(piece[start..<end])
                if let id = vocabulary[text] { found = id; break }
                end -= 1
            }
            guard let found else { return [unknown] }
            ids.append(found)
            start = end
        }
        return ids
    }
}
