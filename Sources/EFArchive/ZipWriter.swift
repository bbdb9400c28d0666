// Writes zip files with stored (uncompressed) members, as `unzip`, Python's zipfile and
// numpy.load read them. No zip64: members and archives must stay below 4 GiB.

import EFCore
import Foundation

/// Signatures and limits of the zip format (PKWARE APPNOTE 6.3, sections 4.3.7–4.3.16).
enum ZipFormat {
    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let dataDescriptorSignature: UInt32 = 0x0807_4B50
    static let localHeaderSize = 30
    static let centralHeaderSize = 46
    static let endOfCentralDirectorySize = 22
    static let methodStored: UInt16 = 0
    static let methodDeflated: UInt16 = 8
    static let flagEncrypted: UInt16 = 1 << 0
    static let flagDataDescriptor: UInt16 = 1 << 3
    static let flagUTF8Names: UInt16 = 1 << 11
    /// Largest size or offset a plain (non-zip64) field can hold; 0xFFFFFFFF means "see zip64".
    static let maximumSize: UInt64 = 0xFFFF_FFFE
    static let maximumEntryCount = 0xFFFE
}

/// Appends little-endian integers to a byte array.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value)); append(UInt8(truncatingIfNeeded: value >> 8))
    }
    mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// Produces a zip file member by member into a sink; `finish()` writes the central directory.
final class ZipWriter {
    private struct CentralRecord {
        var name: [UInt8], flags: UInt16, crc: UInt32, size: UInt32, offset: UInt32
    }

    private let sink: ByteSink
    /// What the archive is, for messages (e.g. "model.efa").
    private let label: String
    private let dosTime: UInt16
    private let dosDate: UInt16
    private var offset: UInt64 = 0
    private var records: [CentralRecord] = []
    private var names = Set<String>()

    /// - Parameter modified: the modification time stamped on every member (stored as UTC).
    init(sink: ByteSink, label: String, modified: Date = Date()) {
        self.sink = sink
        self.label = label
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        let year = Swift.min(Swift.max((parts.year ?? 1980) - 1980, 0), 127)
        dosDate = UInt16(year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        dosTime = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
    }

    /// Adds a member holding `bytes`.
    /// - Throws: `EdgeflowError.unsupported` beyond zip limits, `.invalidArgument` for a bad
    ///   name, `.internalError` for a repeated one, sink errors.
    func addMember(named name: String, bytes: UnsafeRawBufferPointer) throws {
        let crc = CRC32.checksum(bytes)
        let size = UInt64(bytes.count)
        let nameBytes = try register(name)
        try checkLimits(member: name, size: size)
        let record = CentralRecord(name: nameBytes, flags: ZipFormat.flagUTF8Names, crc: crc,
                                   size: UInt32(size), offset: UInt32(offset))
        try emit(localHeader(record))
        try emit(bytes)
        records.append(record)
    }

    /// Adds a member whose content is written by `body` as it is produced; its CRC and size
    /// follow the data in a data descriptor (flag bit 3).
    func addStreamedMember(named name: String, body: (ByteSink) throws -> Void) throws {
        let nameBytes = try register(name)
        try checkLimits(member: name, size: 0)
        var record = CentralRecord(name: nameBytes, flags: ZipFormat.flagUTF8Names | ZipFormat.flagDataDescriptor,
                                   crc: 0, size: 0, offset: UInt32(offset))
        try emit(localHeader(record))
        let checksummer = ChecksummingSink(sink)
        try body(checksummer)
        offset += checksummer.byteCount
        try checkLimits(member: name, size: checksummer.byteCount)
        record.crc = checksummer.crc.value
        record.size = UInt32(checksummer.byteCount)
        var descriptor: [UInt8] = []
        descriptor.appendLittleEndian(ZipFormat.dataDescriptorSignature)
        descriptor.appendLittleEndian(record.crc)
        descriptor.appendLittleEndian(record.size)
        descriptor.appendLittleEndian(record.size)
        try emit(descriptor)
        records.append(record)
    }

    /// Adds a member holding `data`.
    func addMember(named name: String, data: Data) throws {
        try data.withUnsafeBytes { try addMember(named: name, bytes: $0) }
    }

    /// Writes the central directory and the end record. Add nothing afterwards.
    func finish() throws {
        let directoryOffset = offset
        for record in records { try emit(centralHeader(record)) }
        let directorySize = offset - directoryOffset
        guard offset <= ZipFormat.maximumSize else { throw tooLarge("the archive", size: offset) }
        var end: [UInt8] = []
        end.appendLittleEndian(ZipFormat.endOfCentralDirectorySignature)
        end.appendLittleEndian(UInt16(0))  // this disk
        end.appendLittleEndian(UInt16(0))  // disk with the central directory
        end.appendLittleEndian(UInt16(records.count))
        end.appendLittleEndian(UInt16(records.count))
        end.appendLittleEndian(UInt32(directorySize))
        end.appendLittleEndian(UInt32(directoryOffset))
        end.appendLittleEndian(UInt16(0))  // comment length
        try emit(end)
    }

    private func register(_ name: String) throws -> [UInt8] {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 0xFFFF else {
            throw EdgeflowError(.invalidArgument, "\(label): zip member name must be 1 to 65535 bytes long, got \(bytes.count)")
        }
        guard names.insert(name).inserted else {
            throw EdgeflowError(.internalError, "\(label): zip member '\(name)' is written twice")
        }
        guard records.count < ZipFormat.maximumEntryCount else {
            throw EdgeflowError(.unsupported, "\(label): more than \(ZipFormat.maximumEntryCount) members need zip64, which Edgeflow does not write")
        }
        return bytes
    }

    private func checkLimits(member: String, size: UInt64) throws {
        guard size <= ZipFormat.maximumSize else { throw tooLarge("member '\(member)'", size: size) }
        guard offset <= ZipFormat.maximumSize else { throw tooLarge("the archive", size: offset) }
    }

    private func tooLarge(_ what: String, size: UInt64) -> EdgeflowError {
        EdgeflowError(.unsupported, "\(label): \(what) reaches \(size) bytes; zip files without zip64 are limited to 4 GiB",
                      hint: "Edgeflow archives do not support models with more than 4 GiB of weights yet")
    }

    private func localHeader(_ record: CentralRecord) -> [UInt8] {
        let streamed = record.flags & ZipFormat.flagDataDescriptor != 0
        var header: [UInt8] = []
        header.appendLittleEndian(ZipFormat.localHeaderSignature)
        header.appendLittleEndian(UInt16(20))  // version needed: 2.0
        header.appendLittleEndian(record.flags)
        header.appendLittleEndian(ZipFormat.methodStored)
        header.appendLittleEndian(dosTime)
        header.appendLittleEndian(dosDate)
        header.appendLittleEndian(streamed ? 0 : record.crc)
        header.appendLittleEndian(streamed ? 0 : record.size)  // compressed size
        header.appendLittleEndian(streamed ? 0 : record.size)  // uncompressed size
        header.appendLittleEndian(UInt16(record.name.count))
        header.appendLittleEndian(UInt16(0))  // extra field length
        return header + record.name
    }

    private func centralHeader(_ record: CentralRecord) -> [UInt8] {
        var header: [UInt8] = []
        header.appendLittleEndian(ZipFormat.centralHeaderSignature)
        header.appendLittleEndian(UInt16(3 << 8 | 20))  // made by: Unix, zip 2.0
        header.appendLittleEndian(UInt16(20))  // version needed: 2.0
        header.appendLittleEndian(record.flags)
        header.appendLittleEndian(ZipFormat.methodStored)
        header.appendLittleEndian(dosTime)
        header.appendLittleEndian(dosDate)
        header.appendLittleEndian(record.crc)
        header.appendLittleEndian(record.size)
        header.appendLittleEndian(record.size)
        header.appendLittleEndian(UInt16(record.name.count))
        header.appendLittleEndian(UInt16(0))  // extra field length
        header.appendLittleEndian(UInt16(0))  // comment length
        header.appendLittleEndian(UInt16(0))  // disk number start
        header.appendLittleEndian(UInt16(0))  // internal attributes
        header.appendLittleEndian(UInt32(0o100644) << 16)  // external: regular file, rw-r--r--
        header.appendLittleEndian(record.offset)
        return header + record.name
    }

    private func emit(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try emit($0) } }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try sink.write(bytes)
        offset += UInt64(bytes.count)
    }
}
