// Reads zip files: the central directory, each member's local header, then stored members with
// their CRC-32 verified. Nothing in the file is trusted: every count, offset and length is
// checked against the bytes actually present (ByteView), members may not overlap (so reading
// every member touches each byte at most once), and members are slices of the file, never
// buffers sized by a declared length, so a small file cannot make the reader allocate more
// than its own size.

import EFCore
import Foundation

/// A zip file held in memory (or memory-mapped), with its member list.
struct ZipReader {
    /// One member as the central directory describes it, located by its local header.
    struct Entry {
        var name: String
        /// The name's bytes as stored.
        var rawName: Data
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
        /// Where the member's stored bytes start (after the local header); `compressedSize`
        /// bytes from here lie inside the member data area.
        var dataOffset: Int
    }

    /// What is being read, for messages (a path, or "weights.npz in model.efa").
    let label: String
    /// Members in central-directory order.
    let entries: [Entry]
    private let indexByName: [String: Int]
    private let bytes: ByteView

    /// Parses the central directory and every local header.
    /// - Throws: `EdgeflowError.invalidArchive` for damage (counts, offsets or sizes beyond the
    ///   file, overlapping or repeated members, local headers that disagree); `.unsupported`
    ///   for zip64 and multi-disk archives.
    init(data: Data, label: String) throws {
        self.label = label
        bytes = ByteView(data: data, label: label)
        let end = try Self.findEndRecord(bytes)
        guard try bytes.uint16(at: end + 4) == 0, try bytes.uint16(at: end + 6) == 0 else {
            throw EdgeflowError(.unsupported, "\(label): multi-disk (split) zip archives are not supported")
        }
        if end >= 20, try bytes.uint32(at: end - 20) == ZipFormat.zip64LocatorSignature { throw Self.zip64Error(label) }
        let count = Int(try bytes.uint16(at: end + 10))
        let directorySize = Int(try bytes.uint32(at: end + 12))
        let directoryOffset = Int(try bytes.uint32(at: end + 16))
        guard try Int(bytes.uint16(at: end + 8)) == count else {
            throw bytes.damaged("the end record gives two different member counts")
        }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else {
            throw bytes.damaged("the central directory (\(directorySize) bytes at offset \(directoryOffset)) "
                + "lies outside the file")
        }
        guard count <= directorySize / ZipFormat.centralHeaderSize else {
            throw bytes.damaged("it declares \(count) members but its central directory of \(directorySize) bytes "
                                + "has room for at most \(directorySize / ZipFormat.centralHeaderSize)")
        }
        var entries: [Entry] = []
        var indexByName: [String: Int] = [:]
        var position = directoryOffset
        let directoryEnd = directoryOffset + directorySize  // both under 2^32: no overflow
        for index in 0..<count {
            guard try bytes.uint32(at: position) == ZipFormat.centralHeaderSignature else {
                throw bytes.damaged("central directory entry \(index) at offset \(position) has a bad signature")
            }
            let (entry, length) = try Self.parseCentralHeader(bytes, at: position, dataEnd: directoryOffset)
            position += length  // at most 46 + 3 × 65535: no overflow
            guard position <= directoryEnd else {
                throw bytes.damaged("central directory entry \(index) runs past the directory's end")
            }
            guard indexByName.updateValue(entries.count, forKey: entry.name) == nil else {
                throw bytes.damaged("member '\(entry.name)' appears twice")
            }
            entries.append(entry)
        }
        try Self.checkDisjoint(entries, bytes)
        self.entries = entries
        self.indexByName = indexByName
    }

    /// The member called `name`, if present.
    func entry(named name: String) -> Entry? { indexByName[name].map { entries[$0] } }

    /// The bytes of a member (a slice of the archive's data, not a copy), CRC-checked.
    /// - Throws: `.unsupported` for compressed or encrypted members, `.invalidArchive` when
    ///   the member is damaged.
    func contents(of entry: Entry) throws -> Data {
        let what = "member '\(entry.name)'"
        guard entry.flags & ZipFormat.flagEncrypted == 0 else {
            throw EdgeflowError(.unsupported, "\(label): \(what) is encrypted, which Edgeflow does not support")
        }
        guard entry.method == ZipFormat.methodStored else {
            let method = entry.method == ZipFormat.methodDeflated ? "deflate" : "method \(entry.method)"
            throw EdgeflowError(.unsupported, "\(label): \(what) is compressed (\(method)); Edgeflow reads only "
                + "stored (uncompressed) members",
                                hint: "re-create it without compression (zip -0, or numpy.savez rather than "
                                    + "numpy.savez_compressed)")
        }
        guard entry.compressedSize == entry.size else {
            throw bytes.damaged("stored \(what) declares \(entry.compressedSize) stored bytes but \(entry.size) "
                + "bytes of content")
        }
        let content = try bytes.slice(entry.dataOffset, entry.size)
        let crc = content.withUnsafeBytes { CRC32.checksum($0) }
        guard crc == entry.crc else {
            throw bytes.damaged(String(format: "\(what) fails its CRC-32 check (stored %08x, computed "
                + "%08x)", entry.crc, crc))
        }
        return content
    }

    /// The contents of the member called `name`.
    /// - Throws: `EdgeflowError.invalidArchive` when it is missing, else as `contents(of:)`.
    func contents(ofMemberNamed name: String) throws -> Data {
        guard let entry = entry(named: name) else {
            let names = entries.prefix(20).map(\.name).joined(separator: ", ") + (entries.count > 20 ? ", …" : "")
            throw bytes.damaged("it has no member '\(name)' (members: \(names))")
        }
        return try contents(of: entry)
    }

    /// The entry whose central header is at `position`, located through its local header,
    /// and the central header's length. Member data must end by `dataEnd`.
    private static func parseCentralHeader(_ bytes: ByteView, at position: Int, dataEnd: Int) throws -> (Entry, Int) {
        let nameLength = Int(try bytes.uint16(at: position + 28))
        let extraLength = Int(try bytes.uint16(at: position + 30))
        let commentLength = Int(try bytes.uint16(at: position + 32))
        let nameData = try bytes.slice(position + ZipFormat.centralHeaderSize, nameLength)
        let name = String(decoding: nameData, as: UTF8.self)
        let compressedSize = Int(try bytes.uint32(at: position + 20))
        let offset = Int(try bytes.uint32(at: position + 42))
        let what = "member '\(name)'"
        if [compressedSize, Int(try bytes.uint32(at: position + 24)), offset].contains(0xFFFF_FFFF),
           try hasZip64Field(bytes, at: position + ZipFormat.centralHeaderSize + nameLength, length: extraLength) {
            throw zip64Error(bytes.label)
        }
        // The local header: inside the member data area, with the same name.
        guard offset <= dataEnd - ZipFormat.localHeaderSize,
              try bytes.uint32(at: offset) == ZipFormat.localHeaderSignature else {
            throw bytes.damaged("\(what) has no local header at offset \(offset)")
        }
        let localName = Int(try bytes.uint16(at: offset + 26))
        let localExtra = Int(try bytes.uint16(at: offset + 28))
        guard try bytes.slice(offset + ZipFormat.localHeaderSize, localName) == nameData else {
            throw bytes.damaged("\(what): its local header names a different member")
        }
        let start = offset + ZipFormat.localHeaderSize + localName + localExtra  // under 2^33
        guard start <= dataEnd, compressedSize <= dataEnd - start else {
            throw bytes.damaged("\(what) (\(compressedSize) bytes at offset \(start)) runs past the end of the "
                                + "member data (offset \(dataEnd))")
        }
        let entry = Entry(name: name, rawName: nameData, method: try bytes.uint16(at: position + 10),
                          flags: try bytes.uint16(at: position + 8), crc: try bytes.uint32(at: position + 16),
                          compressedSize: compressedSize, size: Int(try bytes.uint32(at: position + 24)),
                          localHeaderOffset: offset, dataOffset: start)
        return (entry, ZipFormat.centralHeaderSize + nameLength + extraLength + commentLength)
    }

    /// Whether the extra field at `offset` holds a zip64 record (header ID 0x0001).
    private static func hasZip64Field(_ bytes: ByteView, at offset: Int, length: Int) throws -> Bool {
        var position = offset
        while position + 4 <= offset + length {
            if try bytes.uint16(at: position) == 0x0001 { return true }
            position += 4 + Int(try bytes.uint16(at: position + 2))
        }
        return false
    }

    /// Refuses members whose local header and data overlap another member's.
    private static func checkDisjoint(_ entries: [Entry], _ bytes: ByteView) throws {
        let spans = entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        for (previous, next) in zip(spans, spans.dropFirst())
        where previous.dataOffset + previous.compressedSize > next.localHeaderOffset {
            throw bytes.damaged("members '\(previous.name)' and '\(next.name)' overlap")
        }
    }

    /// The offset of the end-of-central-directory record: the last signature whose declared
    /// comment fits in the file.
    private static func findEndRecord(_ bytes: ByteView) throws -> Int {
        let minimum = ZipFormat.endOfCentralDirectorySize
        guard bytes.count >= minimum else {
            throw bytes.damaged("it is \(bytes.count) bytes long, too short for a zip file (truncated or not a zip)")
        }
        let lowest = Swift.max(0, bytes.count - minimum - 0xFFFF)
        for candidate in stride(from: bytes.count - minimum, through: lowest, by: -1)
        where try bytes.uint32(at: candidate) == ZipFormat.endOfCentralDirectorySignature {
            let commentLength = Int(try bytes.uint16(at: candidate + 20))
            if candidate + minimum + commentLength <= bytes.count { return candidate }
        }
        throw bytes.damaged("no end-of-central-directory record found (truncated, or not a zip file)")
    }

    private static func zip64Error(_ label: String) -> EdgeflowError {
        EdgeflowError(.unsupported, "\(label): is a zip64 archive (over 4 GiB or over 65535 members), which "
            + "Edgeflow does not support")
    }
}
