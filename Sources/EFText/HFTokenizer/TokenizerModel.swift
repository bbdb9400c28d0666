// The "model" of tokenizer.json: the part that turns one pre-tokenized piece into ids (BPE,
// Unigram or WordPiece), chosen by its "type", with the limits every model's tables share.

import EFCore

/// Limits on what a tokenizer file may declare, so a hostile file cannot make Edgeflow build
/// huge tables.
public enum TokenizerLimits {
    /// The largest tokenizer.json read, in bytes (multilingual SigLIP 2 / Gemma files are ~34 MB).
    public static let maxFileBytes = 64 << 20
    /// The most vocabulary entries (Gemma's 262 144 fits).
    public static let maxVocabulary = 1 << 20
    /// The most BPE merges.
    public static let maxMerges = 1 << 20
    /// The most added tokens.
    public static let maxAddedTokens = 1 << 16
    /// The longest token text, in UTF-8 bytes.
    public static let maxTokenBytes = 1024
}

/// A tokenizer model: pieces of text → ids.
enum TokenizerModel: Sendable {
    case bpe(BPEModel)
    case unigram(UnigramModel)
    case wordPiece(WordPieceModel)

    /// Reads the "model" object.
    /// - Throws: `.invalidModel` naming the field for a bad value; `.unsupported` naming an
    ///   unknown model type.
    init(_ field: JSONField) throws {
        // Files written by tokenizers < 0.10 have no "type"; they are BPE or WordPiece by shape.
        let type = try field.optional("type") == nil ? (try field.optional("merges") == nil ? "WordPiece" : "BPE")
            : try field.typeName()
        switch type {
        case "BPE": self = .bpe(try BPEModel(field))
        case "Unigram": self = .unigram(try UnigramModel(field))
        case "WordPiece": self = .wordPiece(try WordPieceModel(field))
        default:
            throw EdgeflowError(.unsupported, "\(field.source): \(field.path).type is the model \"\(type)\", "
                                    + "which Edgeflow does not implement", hint: "supported: BPE, Unigram, WordPiece")
        }
    }

    /// The ids of one piece.
    /// - Throws: `.invalidInput` when the piece holds text the model cannot represent and it
    ///   has no unknown token.
    func ids(of piece: [Unicode.Scalar]) throws -> [Int32] {
        switch self {
        case .bpe(let model): return try model.ids(of: piece)
        case .unigram(let model): return try model.ids(of: piece)
        case .wordPiece(let model): return try model.ids(of: piece)
        }
    }

    /// The id of a token's text in the model's vocabulary.
    func id(of token: [UInt8]) -> Int32? {
        switch self {
        case .bpe(let model): return model.vocabulary[token]
        case .unigram(let model): return model.vocabulary[token]
        case .wordPiece(let model): return model.vocabulary[token]
        }
    }

    /// Reads a vocabulary object {token: id} (BPE, WordPiece).
    static func vocabularyObject(_ field: JSONField) throws -> [[UInt8]: Int32] {
        let members = try field.members()
        guard members.count <= TokenizerLimits.maxVocabulary else {
            throw field.error("has \(members.count) entries, more than \(TokenizerLimits.maxVocabulary)")
        }
        var vocabulary: [[UInt8]: Int32] = [:]
        vocabulary.reserveCapacity(members.count)
        for (token, value) in members {
            guard token.utf8.count <= TokenizerLimits.maxTokenBytes else {
                throw value.error("is a token longer than \(TokenizerLimits.maxTokenBytes) bytes")
            }
            vocabulary[Array(token.utf8)] = Int32(try value.int(in: 0...(TokenizerLimits.maxVocabulary - 1)))
        }
        return vocabulary
    }

    /// The id of the byte-fallback token `<0xXX>` for `byte`.
    static func byteToken(_ byte: UInt8) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return Array("<0x".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)], UInt8(ascii: ">")]
    }

    /// The UTF-8 bytes of scalars.
    static func utf8(_ scalars: some Sequence<Unicode.Scalar>) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in scalars { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        return bytes
    }
}
