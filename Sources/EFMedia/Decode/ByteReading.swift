// Bounds-checked big/little-endian integer reads on byte arrays, for the container parsers
// (JPEG markers, PNG chunks, RIFF, EXIF/TIFF IFDs). A read past the end returns nil.

extension Array where Element == UInt8 {
    /// A 16-bit unsigned integer at `offset`, or nil when it does not fit.
    func uint16(at offset: Int, bigEndian: Bool) -> Int? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        let a = Int(self[offset]), b = Int(self[offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    /// A 32-bit unsigned integer at `offset`, or nil when it does not fit.
    func uint32(at offset: Int, bigEndian: Bool) -> Int? {
        guard offset >= 0, offset <= count - 4,
              let high = uint16(at: bigEndian ? offset : offset + 2, bigEndian: bigEndian),
              let low = uint16(at: bigEndian ? offset + 2 : offset, bigEndian: bigEndian) else { return nil }
        return high << 16 | low
    }

    /// `length` bytes from `offset`, or nil when they do not fit.
    func bytes(at offset: Int, length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset <= count - length else { return nil }
        return Array(self[offset..<offset + length])
    }
}
