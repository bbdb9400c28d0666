// The fixed numbers of the `.efx` container (magic, version, sizes, limits) and the encoding of
// its header and section table, shared by the writer and the reader. The byte layout itself is
// documented at the top of EFXReader.swift and in docs/efx-format.md.

/// The constants of the `.efx` container format.
public enum EFXFormat {
    /// The first eight bytes of every `.efx` file: 0x89 'E' 'F' 'X' CR LF 0x1A LF. The high
    /// byte catches 7-bit transfers, CR LF and LF catch line-ending conversion, 0x1A stops
    /// `type` on DOS (the PNG scheme).
    public static let magic: [UInt8] = [0x89, 0x45, 0x46, 0x58, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format version this Edgeflow writes, and the newest it reads.
    public static let currentVersion: UInt32 = 1
    /// Every section starts at a multiple of this many bytes from the start of the file.
    public static let alignment = 64
    /// Size of the fixed header, before the section table.
    public static let headerSize = 40
    /// Size of one section-table entry.
    public static let entrySize = 32
    /// The most sections a file may declare.
    public static let maxSectionCount = 1024

    /// Offset of the header checksum field; the checksum covers the header without these 8 bytes,
    /// followed by the whole table.
    static let checksumFieldOffset = 32

    /// Where the table of `count` sections ends (a plain product: `count` is at most 1024).
    public static func tableEnd(sectionCount count: Int) -> Int { headerSize + entrySize * count }

    /// `value` rounded up to a multiple of `alignment`, or nil on overflow.
    static func aligned(_ value: Int) -> Int? {
        let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
        return overflow ? nil : sum & ~(alignment - 1)
    }
}

/// One table entry as stored (numbers not yet trusted). Public for tools and tests that
/// build files by hand.
public struct EFXRawEntry {
    public var tag: (UInt8, UInt8, UInt8, UInt8)
    public var flags: UInt32
    public var offset: UInt64
    public var length: UInt64
    public var checksum: UInt64

    public init(tag: (UInt8, UInt8, UInt8, UInt8), flags: UInt32, offset: UInt64, length: UInt64, checksum: UInt64) {
        self.tag = tag
        self.flags = flags
        self.offset = offset
        self.length = length
        self.checksum = checksum
    }
}

/// The fixed header as stored (numbers not yet trusted). Public for tools and tests.
public struct EFXRawHeader {
    public var version: UInt32
    public var flags: UInt32
    public var sectionCount: UInt32
    public var reserved: UInt32
    public var fileSize: UInt64
    public var checksum: UInt64

    public init(version: UInt32, flags: UInt32, sectionCount: UInt32, reserved: UInt32, fileSize: UInt64,
                checksum: UInt64) {
        self.version = version
        self.flags = flags
        self.sectionCount = sectionCount
        self.reserved = reserved
        self.fileSize = fileSize
        self.checksum = checksum
    }
}

/// Little-endian appends into a byte array.
struct LittleEndianBytes {
    var bytes: [UInt8] = []

    mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
}

/// Little-endian reads from a buffer whose length the caller has checked.
extension UnsafeRawBufferPointer {
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func littleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

/// The header and table bytes (public for tools and tests that build files by hand).
public enum EFXHeaderCoding {
    /// The header and table bytes for `header` (its checksum field ignored) and `entries`, with
    /// the checksum filled in.
    public static func encode(_ header: EFXRawHeader, _ entries: [EFXRawEntry]) -> [UInt8] {
        var out = LittleEndianBytes()
        out.append(EFXFormat.magic)
        out.append(header.version)
        out.append(header.flags)
        out.append(header.sectionCount)
        out.append(header.reserved)
        out.append(header.fileSize)
        out.append(UInt64(0))
        for entry in entries {
            out.append([entry.tag.0, entry.tag.1, entry.tag.2, entry.tag.3])
            out.append(entry.flags)
            out.append(entry.offset)
            out.append(entry.length)
            out.append(entry.checksum)
        }
        var bytes = out.bytes
        let checksum = bytes.withUnsafeBytes { headerChecksum($0) }
        withUnsafeBytes(of: checksum.littleEndian) { field in
            for index in 0..<8 { bytes[EFXFormat.checksumFieldOffset + index] = field[index] }
        }
        return bytes
    }

    /// XXH64 of the header without its checksum field, followed by the table: `bytes` is the
    /// header and table exactly.
    public static func headerChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = XXH64()
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<EFXFormat.checksumFieldOffset]))
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[EFXFormat.headerSize...]))
        return hasher.digest()
    }

    /// The header fields of `bytes` (at least `headerSize` long).
    public static func decodeHeader(_ bytes: UnsafeRawBufferPointer) -> EFXRawHeader {
        EFXRawHeader(version: bytes.littleEndianUInt32(at: 8), flags: bytes.littleEndianUInt32(at: 12),
                     sectionCount: bytes.littleEndianUInt32(at: 16), reserved: bytes.littleEndianUInt32(at: 20),
                     fileSize: bytes.littleEndianUInt64(at: 24), checksum: bytes.littleEndianUInt64(at: 32))
    }

    /// Table entry `index` of `bytes` (which holds the whole table).
    public static func decodeEntry(_ bytes: UnsafeRawBufferPointer, index: Int) -> EFXRawEntry {
        let at = EFXFormat.headerSize + EFXFormat.entrySize * index
        return EFXRawEntry(tag: (bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]),
                           flags: bytes.littleEndianUInt32(at: at + 4), offset: bytes.littleEndianUInt64(at: at + 8),
                           length: bytes.littleEndianUInt64(at: at + 16),
                           checksum: bytes.littleEndianUInt64(at: at + 24))
    }
}
