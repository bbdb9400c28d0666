// Reads the Orientation tag (0x0112) from an EXIF block: a TIFF header (either byte order)
// followed by IFD0. Every offset is bounds-checked; anything malformed means "no orientation".

enum ExifOrientation {
    /// The orientation 1...8 in an EXIF payload (`Exif\0\0` prefix optional), or 1 when the
    /// tag is absent, malformed or outside 1...8 (Pillow's exif_transpose ignores such values).
    static func read(_ exif: [UInt8]) -> Int {
        let tiff = exif.starts(with: Array("Exif\0\0".utf8)) ? Array(exif.dropFirst(6)) : exif
        return fromTIFF(tiff) ?? 1
    }

    /// The orientation in IFD0 of a TIFF structure, or nil.
    static func fromTIFF(_ tiff: [UInt8]) -> Int? {
        guard let (bigEndian, ifd) = header(tiff),
              let entries = tiff.uint16(at: ifd, bigEndian: bigEndian) else { return nil }
        for index in 0..<entries {
            let entry = ifd + 2 + 12 * index
            guard let tag = tiff.uint16(at: entry, bigEndian: bigEndian) else { return nil }
            guard tag == 0x0112 else { continue }
            guard tiff.uint16(at: entry + 2, bigEndian: bigEndian) == 3,  // SHORT
                  let value = tiff.uint16(at: entry + 8, bigEndian: bigEndian) else { return nil }
            return (1...8).contains(value) ? value : nil
        }
        return nil
    }

    /// The byte order and IFD0 offset of a TIFF header ("MM" or "II", 42, offset), or nil;
    /// `magics` widens the 42 (camera RAW formats that are TIFF structures with their own).
    static func header(_ tiff: [UInt8], magics: Set<Int> = [42]) -> (bigEndian: Bool, ifd0: Int)? {
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x4D, 0x4D): bigEndian = true
        case (0x49, 0x49): bigEndian = false
        default: return nil
        }
        guard let magic = tiff.uint16(at: 2, bigEndian: bigEndian), magics.contains(magic),
              let ifd = tiff.uint32(at: 4, bigEndian: bigEndian) else { return nil }
        return (bigEndian, ifd)
    }
}
