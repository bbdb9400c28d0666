// Which files are camera RAW files, from their first bytes. Most RAW formats are TIFF
// structures, so the TIFF magic alone cannot tell them from a TIFF photo: a TIFF structure is
// taken as RAW when it is a Canon CR2 ("CR" after the header), when IFD0 carries a DNG version or
// a colour-filter-array or linear-raw photometric interpretation, or when IFD0 names a camera
// maker and has sub-IFDs (how NEF, ARW, PEF and SRW keep their sensor data). The others have
// their own signatures: Fujifilm RAF, Olympus ORF, Panasonic RW2, Canon CR3 (an ISO-BMFF brand).

enum CameraRawSignature {
    static func matches(_ bytes: [UInt8]) -> Bool {
        func starts(_ prefix: String, at offset: Int = 0) -> Bool {
            bytes.bytes(at: offset, length: prefix.utf8.count) == Array(prefix.utf8)
        }
        if starts("FUJIFILMCCD-RAW") || starts("IIRO") || starts("IIRS") || starts("MMOR") || starts("IIU\0") {
            return true
        }
        if starts("ftyp", at: 4), starts("crx ", at: 8) { return true }
        guard let (bigEndian, ifd0) = ExifOrientation.header(bytes) else { return false }
        if starts("CR", at: 8) { return true }
        let entries = ExifCaptureDate.entries(bytes, ifd0, bigEndian)
        if entries[0xC612] != nil { return true }  // DNGVersion
        if let photometric = entries[0x0106].flatMap({ bytes.uint16(at: $0 + 8, bigEndian: bigEndian) }),
           photometric == 32803 || photometric == 34892 {  // CFA, LinearRaw
            return true
        }
        return entries[0x010F] != nil && entries[0x014A] != nil  // Make, SubIFDs
    }
}
