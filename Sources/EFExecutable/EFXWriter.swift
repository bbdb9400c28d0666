// Writes `.efx` files: lays the sections out at 64-byte aligned offsets in the order given,
// checksums each, builds the header and table, then streams header, padding and sections to a
// temporary file that replaces the destination only once it is complete (AtomicOutput).
// Sections are written straight from their `Data`; the file is never assembled in memory.

import EFCore
import Foundation

/// The `.efx` writer.
public enum EFXWriter {
    /// Writes `sections`, in this order, to `url` atomically (a temporary file in the same
    /// directory, renamed over `url` when complete; on failure `url` is untouched and the
    /// temporary file removed).
    /// - Throws: `EdgeflowError.io` when the file cannot be written; `EdgeflowError.internalError`
    ///   for two sections of the same kind or more than `EFXFormat.maxSectionCount` sections.
    public static func write(_ sections: [EFXSection], to url: URL) throws {
        let header = try headerAndTable(sections)
        try AtomicOutput.write(to: url) { output in
            try output.write(header)
            var position = header.count
            for section in sections {
                let start = EFXFormat.aligned(position)!  // the layout was computed without overflow
                try output.write([UInt8](repeating: 0, count: start - position))
                try section.bytes.withUnsafeBytes { try output.write($0) }
                position = start + section.bytes.count
            }
        }
    }

    /// The whole file for `sections` in memory (tests, fuzz seeds, small files).
    /// - Throws: as `write(_:to:)`, except for I/O.
    public static func encode(_ sections: [EFXSection]) throws -> Data {
        var data = Data(try headerAndTable(sections))
        for section in sections {
            data.append(Data(count: EFXFormat.aligned(data.count)! - data.count))
            data.append(section.bytes)
        }
        return data
    }

    /// The header and section table for `sections` laid out in order.
    static func headerAndTable(_ sections: [EFXSection]) throws -> [UInt8] {
        guard sections.count <= EFXFormat.maxSectionCount else {
            throw EdgeflowError(.internalError, "an .efx file holds at most \(EFXFormat.maxSectionCount) "
                                + "sections, \(sections.count) were given")
        }
        var seen = Set<EFXSectionKind>()
        var entries: [EFXRawEntry] = []
        var position = EFXFormat.tableEnd(sectionCount: sections.count)
        for section in sections {
            guard seen.insert(section.kind).inserted else {
                throw EdgeflowError(.internalError, "two sections of kind \(section.kind.tag) given to the .efx writer")
            }
            guard let start = EFXFormat.aligned(position) else {
                throw EdgeflowError(.internalError, "the .efx sections are too large together")
            }
            position = try CheckedSize.add(start, section.bytes.count, "the .efx \(section.kind)",
                                           kind: .internalError)
            let checksum = section.bytes.withUnsafeBytes { XXH64.hash($0) }
            entries.append(EFXRawEntry(tag: section.kind.bytes, flags: section.flags, offset: UInt64(start),
                                       length: UInt64(section.bytes.count), checksum: checksum))
        }
        let header = EFXRawHeader(version: EFXFormat.currentVersion, flags: 0, sectionCount: UInt32(sections.count),
                                  reserved: 0, fileSize: UInt64(position), checksum: 0)
        return EFXHeaderCoding.encode(header, entries)
    }
}
