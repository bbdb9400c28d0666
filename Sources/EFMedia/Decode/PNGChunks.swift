// Walks PNG chunks (bounds-checked) to read IHDR and eXIf before libpng sees the file, and
// to drop the colour-management chunks (gAMA, cHRM, sRGB, iCCP) that would make libpng's
// simplified API re-encode samples: Pillow ignores them, so ignoring them matches Pillow.

import CPNG
import EFCore

struct PNGChunks {
    var width = 0
    var height = 0
    var bitDepth = 0
    var colorType = 0
    /// The eXIf payload (a TIFF structure), if present.
    var exif: [UInt8]?
    /// The file without gAMA/cHRM/sRGB/iCCP chunks.
    var filtered: [UInt8] = []

    /// True for colour types with an alpha channel (4 gray+alpha, 6 RGBA) or a tRNS chunk.
    var hasAlpha = false

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let colourChunks: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]

    /// Parses the chunk list. Throws `invalidInput` when IHDR is missing or a chunk runs past
    /// the end of the data (truncated file).
    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: Self.signature) else {
            throw EdgeflowError(.invalidInput, "not a PNG file (bad signature)")
        }
        filtered = Self.signature
        filtered.reserveCapacity(bytes.count)
        var offset = 8
        var sawEnd = false
        while offset < bytes.count {
            guard let length = bytes.uint32(at: offset, bigEndian: true),
                  let typeBytes = bytes.bytes(at: offset + 4, length: 4),
                  length <= bytes.count - offset - 12 else {
                throw EdgeflowError(.invalidInput, "truncated PNG data (chunk at byte \(offset) runs past the end of the file)",
                                    hint: "the file is incomplete; re-export or re-download it")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let payload = offset + 8
            if offset == 8 {
                guard type == "IHDR", length == 13,
                      let w = bytes.uint32(at: payload, bigEndian: true),
                      let h = bytes.uint32(at: payload + 4, bigEndian: true) else {
                    throw EdgeflowError(.invalidInput, "damaged PNG: the first chunk is not a valid IHDR")
                }
                width = w
                height = h
                bitDepth = Int(bytes[payload + 8])
                colorType = Int(bytes[payload + 9])
                hasAlpha = colorType == 4 || colorType == 6
            }
            if type == "tRNS" { hasAlpha = true }
            if type == "eXIf" { exif = bytes.bytes(at: payload, length: length) }
            if !Self.colourChunks.contains(type) {
                filtered.append(contentsOf: bytes[offset..<payload + length + 4])
            }
            offset = payload + length + 4
            if type == "IEND" { sawEnd = true; break }
        }
        guard width > 0 else { throw EdgeflowError(.invalidInput, "damaged PNG: no IHDR chunk") }
        guard sawEnd else { throw EdgeflowError(.invalidInput, "truncated PNG data (no IEND chunk)",
                                             hint: "the file is incomplete; re-export or re-download it") }
    }

    /// `filtered` with an sRGB chunk after IHDR: libpng then treats 16-bit samples as already
    /// sRGB-encoded and only narrows them to 8 bits (no gamma conversion).
    func filteredDeclaringSRGB() -> [UInt8] {
        let body: [UInt8] = Array("sRGB".utf8) + [0]  // rendering intent 0 (perceptual)
        let crc = CRC32.checksum(body)
        let chunk: [UInt8] = [0, 0, 0, 1] + body + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) }
        let afterIHDR = 8 + 25
        return Array(filtered[..<afterIHDR]) + chunk + Array(filtered[afterIHDR...])
    }
}

/// libpng simplified-API format codes. The composite PNG_FORMAT_* macros are not imported
/// into Swift, so they are rebuilt here from the flag macros.
enum PNGFormat {
    static let gray = UInt32(PNG_FORMAT_GRAY)
    static let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
    static let rgba = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
    static let linearRGB = UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR)
}
