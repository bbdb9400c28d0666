// A Hugging Face `tokenizer.json` tokenizer, as Immich's CLIP model folders ship them
// (NAME/textual/tokenizer.json): added tokens found first, then each remaining stretch
// normalized, pre-tokenized and tokenized by the model, then the post-processor's special ids;
// padded and truncated to a context length the way Immich configures the `tokenizers` library
// (truncation keeps room for the special ids, padding on the right with the pad token's id).

import EFCore
import Foundation

/// A tokenizer read from a Hugging Face tokenizer.json. Immutable and thread-safe.
public final class HFTokenizer: Sendable {
    /// The longest text `encode` and `tokenize` accept, in UTF-8 bytes: 1 MiB.
    public static let maxTextBytes = 1 << 20
    /// The largest context length `tokenize` accepts.
    public static let maxContextLength = 4096

    private let addedTokens: [AddedToken]
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let normalizer: TextNormalizer?
    private let preTokenizer: PreTokenizer?
    private let model: TokenizerModel
    private let postProcessor: PostProcessor

    /// Reads the tokenizer.json at `url` (at most `TokenizerLimits.maxFileBytes`).
    /// - Throws: `EdgeflowError.io` when the file cannot be read; `.invalidInput` when it is
    ///   larger than the limit (nothing more is read); what `init(data:source:)` throws.
    public convenience init(contentsOf url: URL) throws {
        let bytes = try BoundedRead.contents(of: url, limit: TokenizerLimits.maxFileBytes, what: "tokenizer",
                                             howToChange: "tokenizer.json files are at most a few tens of MB")
        try self.init(data: bytes, source: url.path)
    }

    /// Reads tokenizer.json bytes.
    /// - Parameter source: names the file in errors.
    /// - Throws: `EdgeflowError.invalidModel` naming `source` and the JSON path of the first bad
    ///   field (wrong type, out of range, over a `TokenizerLimits` limit, not JSON);
    ///   `.unsupported` naming a component type Edgeflow does not implement.
    public init(data: [UInt8], source: String = "tokenizer.json") throws {
        guard data.count <= TokenizerLimits.maxFileBytes else {
            throw EdgeflowError(.invalidInput, "\(source): \(data.count) bytes, more than the tokenizer limit of "
                                    + "\(TokenizerLimits.maxFileBytes)")
        }
        let root = JSONField(value: try JSONParser.parse(data, source: source), path: "", source: source)
        _ = try root.members()
        for ignored in ["truncation", "padding", "decoder"] {
            _ = try root.optional(ignored)?.members()  // Immich sets its own; decoding is not needed
        }
        model = try TokenizerModel(root.required("model"))
        addedTokens = try root.optional("added_tokens")?.elements(limit: TokenizerLimits.maxAddedTokens)
            .map(AddedToken.init) ?? []
        normalizer = try root.optional("normalizer").map(TextNormalizer.init)
        preTokenizer = try root.optional("pre_tokenizer").map(PreTokenizer.init)
        postProcessor = try root.optional("post_processor").map(PostProcessor.init) ?? PostProcessor()
        rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
        let normalizer = normalizer
        normalizedMatcher = AddedTokenMatcher(addedTokens.filter(\.normalized)) { normalizer?.apply($0) ?? $0 }
    }

    /// The number of special ids the post-processor adds around one text.
    public var specialTokenCount: Int { postProcessor.prefix.count + postProcessor.suffix.count }

    /// The id of a token's text: an added token's, else the model vocabulary's; nil when neither
    /// has it (the `tokenizers` library's `token_to_id`).
    public func id(of token: String) -> Int32? {
        let scalars = Array(token.unicodeScalars)
        if let added = addedTokens.first(where: { $0.content == scalars }) { return added.id }
        return model.id(of: Array(token.utf8))
    }

    /// `text` after the tokenizer's normalizer (the `tokenizers` library's
    /// `normalizer.normalize_str`); `text` itself when the file has none.
    public func normalized(_ text: String) -> String {
        guard let normalizer else { return text }
        return String(String.UnicodeScalarView(normalizer.apply(Array(text.unicodeScalars))))
    }

    /// The ids of `text` with the post-processor's special ids, neither truncated nor padded.
    /// - Throws: `.invalidInput` for a text over `maxTextBytes`, or one with a character a
    ///   Unigram model without an unknown id cannot represent.
    public func encode(_ text: String) throws -> [Int32] {
        postProcessor.prefix + (try encodeWithoutSpecials(text)) + postProcessor.suffix
    }

    /// `text` as a text tower takes it: `encode`'s ids with the text's own ids cut so that the
    /// whole fits `contextLength` (special ids kept), then `padID` up to `contextLength`.
    /// - Throws: `.invalidArgument` for a context length outside the special ids' count + 1 …
    ///   `maxContextLength`; what `encode` throws.
    public func tokenize(_ text: String, contextLength: Int, padID: Int32) throws -> TokenizedText {
        guard (specialTokenCount + 1...Self.maxContextLength).contains(contextLength) else {
            throw EdgeflowError(.invalidArgument, "context length \(contextLength) is outside "
                                    + "\(specialTokenCount + 1)…\(Self.maxContextLength)")
        }
        var body = try encodeWithoutSpecials(text)
        let room = contextLength - specialTokenCount
        let truncated = body.count > room
        if truncated { body.removeLast(body.count - room) }
        var ids = postProcessor.prefix + body + postProcessor.suffix
        let length = ids.count
        ids.append(contentsOf: repeatElement(padID, count: contextLength - length))
        return TokenizedText(ids: ids, length: length, truncated: truncated)
    }

    private func encodeWithoutSpecials(_ text: String) throws -> [Int32] {
        guard text.utf8.count <= Self.maxTextBytes else {
            throw EdgeflowError(.invalidInput, "text \(CLIPTokenizer.preview(text)) is \(text.utf8.count) bytes long, "
                                    + "more than the limit of \(Self.maxTextBytes)", hint: "shorten the text")
        }
        var ids: [Int32] = []
        for raw in rawMatcher.split(.text(Array(text.unicodeScalars), atStart: true)) {
            guard case .text(let stretch, let atStart) = raw else {
                if case .token(let id) = raw { ids.append(id) }
                continue
            }
            var keepsStart = true
            let normalized = InputSegment.text(normalizer?.apply(stretch, keepsStart: &keepsStart) ?? stretch,
                                               atStart: atStart && keepsStart)
            for segment in normalizedMatcher.split(normalized) {
                switch segment {
                case .token(let id):
                    ids.append(id)
                case .text(let scalars, let atStart):
                    guard !scalars.isEmpty else { continue }  // nothing left to pre-tokenize
                    let first = [TextPiece(scalars: scalars, atStart: atStart)]
                    for piece in preTokenizer?.apply(first) ?? first.filter({ !$0.scalars.isEmpty }) {
                        ids.append(contentsOf: try model.ids(of: piece.scalars))
                    }
                }
            }
        }
        return ids
    }
}
