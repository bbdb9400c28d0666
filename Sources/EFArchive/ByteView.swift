// Bounds-checked little-endian reads from `Data`, for the zip reader: every offset and length
// comes from the file, so each read checks them without overflowing and reports damage.

import EFCore
import Foundation

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
        return UInt32(data[base]) | UInt32(data[base + 1]) << 8
            | UInt32(data[base + 2]) << 16 | UInt32(data[base + 3]) << 24
    }

    /// `length` bytes at `offset`: a slice sharing the storage, not a copy.
    func slice(_ offset: Int, _ length: Int) throws -> Data {
        try check(offset, length)
        return data[(data.startIndex + offset)..<(data.startIndex + offset + length)]
    }

    /// The error for damage found at some place in the file.
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
