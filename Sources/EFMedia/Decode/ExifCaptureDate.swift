// The capture date of a photo from its EXIF block: DateTimeOriginal (0x9003, in the Exif IFD)
// or, failing that, DateTime (0x0132, in IFD0). JPEG (APP1), PNG (eXIf), WebP (EXIF chunk),
// HEIF (the primary image's Exif item, through libheif), TIFF and the camera RAW formats that are
// TIFF structures (the file itself; ORF and RW2 with their own magic numbers), and Fujifilm RAF
// (the EXIF of the JPEG preview its header points to). Not CR3 (its EXIF sits in ISO-BMFF boxes).
// Bounds-checked: anything malformed means "no date".

/// Photo metadata read from the file's bytes without decoding pixels.
public enum PhotoMetadata {
    /// The capture date as "YYYY-MM-DDTHH:MM:SS" (local time as the camera wrote it, no zone),
    /// or nil when the photo has no valid EXIF date.
    public static func captureDate(in bytes: [UInt8]) -> String? {
        let format = ImageDecoder.format(of: bytes)  // sniffed once
        if format == .raw, !bytes.starts(with: Array("FUJIFILMCCD-RAW".utf8)) {
            return ExifCaptureDate.fromTIFF(bytes, magics: rawMagics)
        }
        guard let tiff = exifTIFF(bytes, format) else { return nil }
        return ExifCaptureDate.fromTIFF(tiff)
    }

    /// TIFF magic numbers of RAW formats: 42, Olympus ORF ("RO", "RS"), Panasonic RW2 (0x55).
    private static let rawMagics: Set<Int> = [42, 0x4F52, 0x5352, 0x55]

    /// The TIFF structure of the photo's EXIF block, by format (RAW: Fujifilm RAF's only).
    private static func exifTIFF(_ bytes: [UInt8], _ format: ImageFormat?) -> [UInt8]? {
        let payload: [UInt8]?
        switch format {
        case .jpeg: payload = JPEGMarkers.exifPayload(bytes)
        case .png: payload = (try? PNGChunks(bytes))?.exif
        case .webp: payload = WebPDecoder.exifChunk(bytes)
        case .tiff: payload = bytes
        case .heif: payload = HEIFDecoder.exifTIFF(bytes)
        case .raw: payload = rafPreviewExif(bytes)
        default: payload = nil
        }
        guard let payload else { return nil }
        return payload.starts(with: Array("Exif\0\0".utf8)) ? Array(payload.dropFirst(6)) : payload
    }

    /// RAF: the EXIF of the JPEG preview whose offset and length (big-endian) stand at bytes 84 and 88.
    private static func rafPreviewExif(_ bytes: [UInt8]) -> [UInt8]? {
        guard let offset = bytes.uint32(at: 84, bigEndian: true), let length = bytes.uint32(at: 88, bigEndian: true),
              let jpeg = bytes.bytes(at: offset, length: length) else { return nil }
        return JPEGMarkers.exifPayload(jpeg)
    }
}

enum ExifCaptureDate {
    static func fromTIFF(_ tiff: [UInt8], magics: Set<Int> = [42]) -> String? {
        guard let (bigEndian, ifd0) = ExifOrientation.header(tiff, magics: magics) else { return nil }
        let entries0 = entries(tiff, ifd0, bigEndian)
        if let exifIFD = entries0[0x8769].flatMap({ tiff.uint32(at: $0 + 8, bigEndian: bigEndian) }),
           exifIFD != ifd0, let entry = entries(tiff, exifIFD, bigEndian)[0x9003],
           let date = asciiDate(tiff, entry, bigEndian) {
            return date
        }
        return entries0[0x0132].flatMap { asciiDate(tiff, $0, bigEndian) }
    }

    /// The first entry offset of each tag in the IFD at `offset` (at most 1,000 entries read).
    static func entries(_ tiff: [UInt8], _ offset: Int, _ bigEndian: Bool) -> [Int: Int] {
        guard let count = tiff.uint16(at: offset, bigEndian: bigEndian) else { return [:] }
        var result: [Int: Int] = [:]
        for index in 0..<min(count, 1000) {
            let entry = offset + 2 + 12 * index
            guard let tag = tiff.uint16(at: entry, bigEndian: bigEndian) else { break }
            result[tag] = result[tag] ?? entry
        }
        return result
    }

    /// An ASCII "YYYY:MM:DD HH:MM:SS" value as "YYYY-MM-DDTHH:MM:SS", or nil.
    private static func asciiDate(_ tiff: [UInt8], _ entry: Int, _ bigEndian: Bool) -> String? {
        guard tiff.uint16(at: entry + 2, bigEndian: bigEndian) == 2,  // ASCII
              let count = tiff.uint32(at: entry + 4, bigEndian: bigEndian), count >= 19,
              let offset = tiff.uint32(at: entry + 8, bigEndian: bigEndian),
              let text = tiff.bytes(at: offset, length: 19) else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ (0x30...0x39).contains(text[$0]) }),
              text[4] == 0x3A, text[7] == 0x3A, text[13] == 0x3A, text[16] == 0x3A else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(text[$1] - 0x30) } }
        let month = number(5..<7), day = number(8..<10), hour = number(11..<13)
        let minute = number(14..<16), second = number(17..<19)
        guard number(0..<4) >= 1800, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        var out = text
        out[4] = 0x2D; out[7] = 0x2D; out[10] = 0x54
        return String(decoding: out, as: UTF8.self)
    }
}
