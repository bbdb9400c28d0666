// The CLIP BPE vocabulary read from bpe_simple_vocab_16e6.txt(.gz): the 256 byte symbols,
// their end-of-word forms, the first 48 894 merges and the two special tokens (49 408 ids),
// kept as integer tables (byte → id, (id, id) → merge rank, id → bytes) so that loading
// builds no per-token Strings.

import EFCore
import Foundation

/// The CLIP BPE vocabulary (49 408 ids), loaded from the bytes of
/// `bpe_simple_vocab_16e6.txt` or its `.gz`. Pass it to `CLIPTokenizer(vocabulary:)`.
public struct BPEVocabulary: Sendable {
    static let mergeCount = 48_894
    static let baseCount = 512
    static let startToken: Int32 = 49_406
    static let endToken: Int32 = 49_407
    static let size = 49_408

    /// Byte value → id of its symbol (add 256 for the end-of-word form).
    let byteToID: [Int32]
    /// (first id << 32 | second id) → merge rank; the merged symbol's id is 512 + rank.
    let pairRanks: [UInt64: Int32]
    /// Raw bytes of every token (end-of-word forms end in the literal bytes "</w>").
    let tokenBytes: [UInt8]
    let tokenOffsets: [Int]

    /// Reads the vocabulary file (gzip-compressed or plain text), at most
    /// `VocabularyLimits.maxFileBytes` of it.
    /// - Throws: `.io` when the file cannot be read; `.invalidInput` when it is too large or not
    ///   a CLIP vocabulary (see `init(data:source:)`).
    init(contentsOf url: URL) throws {
        let data = try BoundedRead.contents(of: url, limit: VocabularyLimits.maxFileBytes, what: "vocabulary",
                                            howToChange: "a CLIP vocabulary is about 1.3 MB (gz) or 3.2 MB; "
                                                + "check that the path names bpe_simple_vocab_16e6.txt(.gz)")
        try self.init(data: data, source: url.path)
    }

    /// Parses vocabulary bytes held in memory: gzip (starting 1F 8B, inflated with a limit of
    /// `VocabularyLimits.maxDecompressedBytes`) or plain text. The first line is a header; the
    /// next 48 894 lines must each be a merge "a b" of two symbols made before it, making a new one.
    /// - Parameters:
    ///   - source: names the data in errors (e.g. the file path).
    ///   - decompressedLimit: the most bytes gzip data may inflate to before the lines are complete.
    /// - Throws: `EdgeflowError(.invalidInput)` for damaged gzip data, too much text, too few
    ///   lines, a line over `VocabularyLimits.maxLineBytes`, a malformed or duplicate merge.
    public init(data: [UInt8], source: String = "vocabulary",
                decompressedLimit: Int = VocabularyLimits.maxDecompressedBytes) throws {
        let lines = try VocabularyBytes.lines(data, count: Self.mergeCount + 1, source: source,
                                              decompressedLimit: decompressedLimit)
        var table = VocabularyTextTable(capacity: 1 << 17)
        let symbols = ByteSymbols.unicodeForByte
        for suffix in ["", "</w>"] {
            for scalar in symbols { table.append(Array((String(Character(scalar)) + suffix).utf8)) }
        }
        var ranks: [UInt64: Int32] = [:]
        ranks.reserveCapacity(Self.mergeCount)
        for rank in 0..<Self.mergeCount {
            let line = lines[rank + 1]
            guard let space = line.firstIndex(of: 0x20), space > line.startIndex, space + 1 < line.endIndex else {
                throw VocabularyBytes.malformed(source, "line \(rank + 2) is not a merge 'a b'")
            }
            guard let first = table.find(line[..<space]), let second = table.find(line[(space + 1)...]) else {
                throw VocabularyBytes.malformed(source, "line \(rank + 2) merges a symbol no earlier line made")
            }
            guard table.appendConcatenation(first, second) else {
                throw VocabularyBytes.malformed(source, "line \(rank + 2) makes a symbol that already exists")
            }
            ranks[UInt64(UInt32(first)) << 32 | UInt64(UInt32(second))] = Int32(rank)
        }
        guard table.append(Array("<|startoftext|>".utf8)), table.append(Array("<|endoftext|>".utf8)) else {
            throw VocabularyBytes.malformed(source, "a merge makes a special token's text")
        }
        pairRanks = ranks
        var ids = [Int32](repeating: 0, count: 256)
        for (index, byte) in ByteSymbols.byteOrder.enumerated() { ids[byte] = Int32(index) }
        byteToID = ids
        (tokenBytes, tokenOffsets) = table.rawBytes()
    }

    /// The raw bytes of token `id`, or nil when `id` is outside the vocabulary.
    func bytes(of id: Int32) -> ArraySlice<UInt8>? {
        guard id >= 0, Int(id) < Self.size else { return nil }
        return tokenBytes[tokenOffsets[Int(id)]..<tokenOffsets[Int(id) + 1]]
    }
}

/// bytes_to_unicode: the printable code point standing for each byte in vocabulary text.
enum ByteSymbols {
    /// Symbol of the byte at each vocabulary position 0..<256 (printable Latin-1 bytes first).
    static let unicodeForByte: [Unicode.Scalar] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var scalars = printable.map { Unicode.Scalar(UInt8($0)) }
        var next: UInt32 = 256
        for byte in 0...255 where !printable.contains(byte) {
            scalars.append(Unicode.Scalar(next)!)
            next += 1
        }
        return scalars
    }()

    /// The byte at each vocabulary position 0..<256.
    static let byteOrder: [Int] = {
        Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF) + (0...255).filter {
            !((0x21...0x7E).contains($0) || (0xA1...0xAC).contains($0) || (0xAE...0xFF).contains($0))
        }
    }()

    private static let byteForCodePoint: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (index, scalar) in unicodeForByte.enumerated() { table[Int(scalar.value)] = Int16(byteOrder[index]) }
        return table
    }()

    /// The byte a vocabulary code point stands for, or nil.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        guard Int(scalar.value) < byteForCodePoint.count, byteForCodePoint[Int(scalar.value)] >= 0 else { return nil }
        return UInt8(byteForCodePoint[Int(scalar.value)])
    }
}
