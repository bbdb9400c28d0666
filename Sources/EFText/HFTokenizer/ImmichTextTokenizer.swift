// The text side of an Immich CLIP model folder with a Hugging Face tokenizer
// (NAME/textual/tokenizer.json + tokenizer_config.json): what Immich's OpenClipTextualEncoder
// does before the text tower runs — clean_text, then the tokenizer padded (with the id of
// tokenizer_config.json's pad_token) and truncated to the context length.

import EFCore
import Foundation

/// Tokenizes queries exactly as Immich does for a tokenizer.json CLIP folder.
public struct ImmichTextTokenizer: Sendable {
    /// The folder's tokenizer.json.
    public let tokenizer: HFTokenizer
    /// The number of ids every result has (config.json's text_cfg.context_length, default 77).
    public let contextLength: Int
    /// The id of tokenizer_config.json's pad_token.
    public let padID: Int32
    /// config.json's text_cfg.tokenizer_kwargs.clean == "canonicalize".
    public let canonicalize: Bool

    /// Reads `textual/tokenizer.json` and `textual/tokenizer_config.json` of `folder`.
    /// - Parameters:
    ///   - contextLength: from the folder's config.json (Immich's default is 77).
    ///   - canonicalize: from the folder's config.json.
    /// - Throws: `.io` for an unreadable file; `.invalidModel` naming the file and field for a bad
    ///   tokenizer file, a tokenizer_config.json without a usable pad_token, or a pad token the
    ///   tokenizer does not know; `.unsupported` for a component Edgeflow does not implement;
    ///   `.invalidArgument` for a context length the tokenizer cannot fill.
    public init(folder: URL, contextLength: Int = 77, canonicalize: Bool = false) throws {
        let textual = folder.appendingPathComponent("textual")
        let tokenizer = try HFTokenizer(contentsOf: textual.appendingPathComponent("tokenizer.json"))
        let configURL = textual.appendingPathComponent("tokenizer_config.json")
        let padToken = try Self.padToken(configURL)
        guard let padID = tokenizer.id(of: padToken) else {
            throw EdgeflowError(.invalidModel, "\(configURL.path): pad_token \"\(padToken)\" is not a token of "
                                    + "tokenizer.json")
        }
        guard (tokenizer.specialTokenCount + 1...HFTokenizer.maxContextLength).contains(contextLength) else {
            throw EdgeflowError(.invalidArgument, "context length \(contextLength) is outside "
                                    + "\(tokenizer.specialTokenCount + 1)…\(HFTokenizer.maxContextLength)")
        }
        self.init(tokenizer: tokenizer, contextLength: contextLength, padID: padID, canonicalize: canonicalize)
    }

    /// A tokenizer already loaded.
    public init(tokenizer: HFTokenizer, contextLength: Int, padID: Int32, canonicalize: Bool = false) {
        self.tokenizer = tokenizer
        self.contextLength = contextLength
        self.padID = padID
        self.canonicalize = canonicalize
    }

    /// `text` as the text tower takes it: cleaned, `prefix` put before it (an NLLB-CLIP model's
    /// language code, as Immich adds it after cleaning), tokenized, truncated, padded.
    /// - Throws: what `HFTokenizer.tokenize` throws.
    public func tokenize(_ text: String, prefix: String = "") throws -> TokenizedText {
        try tokenizer.tokenize(prefix + ImmichTextCleaner.clean(text, canonicalize: canonicalize),
                               contextLength: contextLength, padID: padID)
    }

    /// The pad_token of a tokenizer_config.json: a string, or an object with a "content" string
    /// (older transformers files).
    /// - Throws: `.io` when unreadable; `.invalidModel` naming the file and field otherwise.
    public static func padToken(_ url: URL) throws -> String {
        let bytes = try BoundedRead.contents(of: url, limit: 4 << 20, what: "tokenizer config",
                                             howToChange: "tokenizer_config.json files are a few KB")
        let root = JSONField(value: try JSONParser.parse(bytes, source: url.path), path: "", source: url.path)
        let pad = try root.required("pad_token")
        if case .object = pad.value { return try pad.required("content").string() }
        return try pad.string()
    }
}
