// Walks the JPEG marker segments before the first scan to find the EXIF (APP1) block and
// whether the frame is progressive (libjpeg then holds every DCT coefficient of the image).
// Bounds-checked: a malformed segment list just ends the walk.

enum JPEGMarkers {
    /// True when the first frame header (SOFn) is progressive: SOF2, SOF6, SOF10 or SOF14.
    static func isProgressive(_ bytes: [UInt8]) -> Bool {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return false }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return false }
            if [0xC2, 0xC6, 0xCA, 0xCE].contains(marker) { return true }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) { return false }
            guard let length = bytes.uint16(at: offset + 2, bigEndian: true), length >= 2 else { return false }
            offset += 2 + length
        }
        return false
    }

    /// The EXIF orientation (1...8) in the first APP1 "Exif" segment, or 1.
    static func orientation(_ bytes: [UInt8]) -> Int {
        exifPayload(bytes).map(ExifOrientation.read) ?? 1
    }

    /// The first APP1 "Exif" segment's payload (with its `Exif\0\0` prefix), or nil.
    static func exifPayload(_ bytes: [UInt8]) -> [UInt8]? {
        var offset = 2  // after SOI
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }  // start of scan / end of image
            guard let length = bytes.uint16(at: offset + 2, bigEndian: true), length >= 2 else { return nil }
            if marker == 0xE1, let payload = bytes.bytes(at: offset + 4, length: length - 2),
               payload.starts(with: Array("Exif\0\0".utf8)) {
                return payload
            }
            offset += 2 + length
        }
        return nil
    }
}
