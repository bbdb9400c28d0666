// A minimal writer of stored (uncompressed) zip files, so that the `efa-archive` target can wrap
// mutated members in a zip whose checksums are right and the mutations reach the JSON and npz
// readers behind the zip reader instead of stopping at a CRC mismatch.

import EFCore
import Foundation

enum StoredZip {
    /// A zip holding `members` in order, each stored with its CRC-32.
    static func make(_ members: [(name: String, data: Data)]) -> Data {
        var out = Data(), directory = Data()
        for (name, data) in members {
            let offset = UInt32(truncatingIfNeeded: out.count)
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            let nameBytes = Data(name.utf8)
            let size = UInt32(truncatingIfNeeded: data.count)
            // Local header: signature, version, flags, method, time, date, crc, sizes, name length, extra length.
            out.append(le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21))
            out.append(le32(crc) + le32(size) + le32(size) + le16(UInt16(nameBytes.count)) + le16(0))
            out.append(nameBytes)
            out.append(data)
            directory.append(le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21))
            directory.append(le32(crc) + le32(size) + le32(size) + le16(UInt16(nameBytes.count)))
            directory.append(le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset))
            directory.append(nameBytes)
        }
        let directoryOffset = UInt32(truncatingIfNeeded: out.count)
        out.append(directory)
        let count = UInt16(truncatingIfNeeded: members.count)
        out.append(le32(0x0605_4B50) + le16(0) + le16(0) + le16(count) + le16(count))
        out.append(le32(UInt32(truncatingIfNeeded: directory.count)) + le32(directoryOffset) + le16(0))
        return out
    }

    private static func le16(_ value: UInt16) -> Data { Data([UInt8(value & 0xFF), UInt8(value >> 8)]) }
    private static func le32(_ value: UInt32) -> Data {
        Data((0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }
}
