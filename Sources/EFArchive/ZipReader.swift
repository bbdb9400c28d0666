// Reads zip files: the central directory, then stored members with their CRC-32 verified.
// Every offset and length is bounds-checked; damage is reported, never trusted.

import EFCore
import Foundation

/// A zip file held in memory (or memory-mapped), with its member list.
struct ZipReader {
    /// One member as the central directory describes it.
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
    }

    /// What is being read, for messages (a path, or "weights.npz in model.efa").
    let label: String
    /// Members in central-directory order.
    let entries: [Entry]
    private let bytes: ByteView
    /// Where the central directory starts: member data must end before it.
    private let directoryOffset: Int

    /// Parses the central directory.
    /// - Throws: `EdgeflowError.invalidArchive` for damage, `.unsupported` for zip64, multi-disk
    ///   or encrypted archives.
    init(data: Data, label: String) throws {
        self.label = label
        bytes = ByteView(data: data, label: label)
        let end = try Self.findEndRecord(bytes)
        guard try bytes.uint16(at: end + 4) == 0, try bytes.uint16(at: end + 6) == 0 else {
            throw EdgeflowError(.unsupported, "\(label): multi-disk (split) zip archives are not supported")
        }
        let count = Int(try bytes.uint16(at: end + 10))
        let directorySize = Int(try bytes.uint32(at: end + 12))
        directoryOffset = Int(try bytes.uint32(at: end + 16))
        let zip64Locator = end >= 20 ? try bytes.uint32(at: end - 20) : 0
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
            || zip64Locator == ZipFormat.zip64LocatorSignature {
            throw Self.zip64Error(label)
        }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else {
            throw bytes.damaged("the central directory (\(directorySize) bytes at offset \(directoryOffset)) lies outside the file")
        }
        var entries: [Entry] = []
        var names = Set<String>()
        var position = directoryOffset
        for index in 0..<count {
            guard try bytes.uint32(at: position) == ZipFormat.centralHeaderSignature else {
                throw bytes.damaged("central directory entry \(index) at offset \(position) has a bad signature")
            }
            let entry = try Self.parseCentralHeader(bytes, at: position)
            guard names.insert(entry.name).inserted else {
                throw bytes.damaged("member '\(entry.name)' appears twice")
            }
            entries.append(entry)
            position += ZipFormat.centralHeaderSize + Int(try bytes.uint16(at: position + 28))
                + Int(try bytes.uint16(at: position + 30)) + Int(try bytes.uint16(at: position + 32))
            guard position <= directoryOffset + directorySize else {
                throw bytes.damaged("central directory entry \(index) runs past the directory's end")
            }
        }
        self.entries = entries
    }

    /// The member called `name`, if present.
    func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

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
            throw EdgeflowError(.unsupported, "\(label): \(what) is compressed (\(method)); Edgeflow reads only stored (uncompressed) members",
                                hint: "re-create it without compression (zip -0, or numpy.savez rather than numpy.savez_compressed)")
        }
        guard entry.compressedSize == entry.size else {
            throw bytes.damaged("stored \(what) declares \(entry.compressedSize) stored bytes but \(entry.size) bytes of content")
        }
        let header = entry.localHeaderOffset
        guard header <= directoryOffset - ZipFormat.localHeaderSize,
              try bytes.uint32(at: header) == ZipFormat.localHeaderSignature else {
            throw bytes.damaged("\(what) has no local header at offset \(header)")
        }
        let nameLength = Int(try bytes.uint16(at: header + 26))
        let extraLength = Int(try bytes.uint16(at: header + 28))
        let start = header + ZipFormat.localHeaderSize + nameLength + extraLength
        guard start <= directoryOffset, entry.size <= directoryOffset - start else {
            throw bytes.damaged("\(what) (\(entry.size) bytes at offset \(start)) runs past the end of the member data")
        }
        guard try bytes.slice(header + ZipFormat.localHeaderSize, nameLength) == entry.rawName else {
            throw bytes.damaged("\(what): its local header names a different member")
        }
        let content = try bytes.slice(start, entry.size)
        let crc = content.withUnsafeBytes { CRC32.checksum($0) }
        guard crc == entry.crc else {
            throw bytes.damaged(String(format: "\(what) fails its CRC-32 check (stored %08x, computed %08x)", entry.crc, crc))
        }
        return content
    }

    /// The contents of the member called `name`.
    /// - Throws: `EdgeflowError.invalidArchive` when it is missing, else as `contents(of:)`.
    func contents(ofMemberNamed name: String) throws -> Data {
        guard let entry = entry(named: name) else {
            throw bytes.damaged("it has no member '\(name)' (members: \(entries.map(\.name).joined(separator: ", ")))")
        }
        return try contents(of: entry)
    }

    private static func parseCentralHeader(_ bytes: ByteView, at position: Int) throws -> Entry {
        let nameLength = Int(try bytes.uint16(at: position + 28))
        let flags = try bytes.uint16(at: position + 8)
        let nameData = try bytes.slice(position + ZipFormat.centralHeaderSize, nameLength)
        let name = String(data: nameData, encoding: .utf8) ?? String(decoding: nameData, as: UTF8.self)
        let compressedSize = try bytes.uint32(at: position + 20)
        let size = try bytes.uint32(at: position + 24)
        let offset = try bytes.uint32(at: position + 42)
        if compressedSize == 0xFFFF_FFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            throw zip64Error(bytes.label)
        }
        return Entry(name: name, rawName: nameData, method: try bytes.uint16(at: position + 10), flags: flags,
                     crc: try bytes.uint32(at: position + 16), compressedSize: Int(compressedSize),
                     size: Int(size), localHeaderOffset: Int(offset))
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
        EdgeflowError(.unsupported, "\(label): is a zip64 archive (over 4 GiB or over 65535 members), which Edgeflow does not support")
    }
}

/// Bounds-checked little-endian reads from `Data` at offsets relative to its start.
struct ByteView {
    let data: Data
    let label: String
    var count: Int { data.count }

    func uint16(at offset: Int) throws -> UInt16 {
        try check(offset, 2)
        let base = data.startIndex + offset
        return UInt16(data[base]) | UInt16(data[base + 1]) << 8
    }

    func uint32(at offset: Int) throws -> UInt32 {
        try check(offset, 4)
        let base = data.startIndex + offset
        return UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16 | UInt32(data[base + 3]) << 24
    }

    func slice(_ offset: Int, _ length: Int) throws -> Data {
        try check(offset, length)
        return data[(data.startIndex + offset)..<(data.startIndex + offset + length)]
    }

    func damaged(_ detail: String) -> EdgeflowError {
        EdgeflowError(.invalidArchive, "\(label) is not a valid zip archive: \(detail)",
                      hint: "the file may be truncated or corrupted; re-create it")
    }

    private func check(_ offset: Int, _ length: Int) throws {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw damaged("a read of \(length) bytes at offset \(offset) runs past its end (\(count) bytes)")
        }
    }
}
