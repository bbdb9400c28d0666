// Validation of an `.efx` file's bytes: the container layout, version 1. All numbers are
// little-endian; offsets are from the start of the file.
//
//   offset  size  field
//   0       8     magic 89 45 46 58 0D 0A 1A 0A ("\x89EFX\r\n\x1A\n")
//   8       4     u32 format version (1); readers refuse a version newer than theirs
//   12      4     u32 header flags (none defined in version 1; must be 0)
//   16      4     u32 section count N (0…1024)
//   20      4     u32 reserved (must be 0)
//   24      8     u64 file size in bytes (must equal the real size)
//   32      8     u64 header checksum: XXH64 (seed 0) of bytes 0..<32 followed by 40..<40+32N
//   40      32×N  section table, one entry per section:
//                   +0  4  kind tag, 4 printable ASCII bytes (0x21…0x7E): "META", "PROG", …
//                   +4  4  u32 section flags (meaning defined per kind; 0 by default)
//                   +8  8  u64 offset of the section's first byte, a multiple of 64
//                   +16 8  u64 length in bytes (0 allowed)
//                   +24 8  u64 XXH64 (seed 0) of the section's bytes
//   …             sections, each at its offset; every byte not in the header, the table or a
//                 section must be 0 (the writer pads with zeros to the next multiple of 64)
//
// Rules the reader enforces: kinds unique; sections start at or after the table's end, lie
// inside the declared size, and do not overlap (empty sections overlap nothing); the declared
// size is exactly where the table or the last section ends. Every byte of a valid file is
// thus covered by a checksum or known to be zero. Failures are `EdgeflowError.invalidArchive`
// whose message starts with the file's label and names the field or section concerned.

import EFCore

enum EFXReader {
    /// The section table of the file in `bytes`, validated: magic, version, header checksum,
    /// layout, size, zero padding, and the checksum of every section not in `deferred`.
    /// - Throws: `EdgeflowError.invalidArchive` naming `label` and what is wrong.
    static func read(_ bytes: UnsafeRawBufferPointer, label: String,
                     deferring deferred: Set<EFXSectionKind> = []) throws -> [EFXSectionInfo] {
        func fail(_ message: String, hint: String? = nil) -> EdgeflowError {
            EdgeflowError(.invalidArchive, "\(label): \(message)", hint: hint)
        }
        let size = bytes.count
        let magic = EFXFormat.magic
        guard size > 0 else { throw fail("the file is empty (an Edgeflow executable starts with a 40-byte header)") }
        let prefix = Array(bytes.prefix(magic.count))
        guard prefix == Array(magic.prefix(prefix.count)) else {
            throw fail("not an Edgeflow executable (.efx): it does not start with the .efx magic bytes",
                       hint: "check the file; .efx files are binary and are damaged by text-mode transfers")
        }
        guard size >= EFXFormat.headerSize else {
            throw fail("the file is truncated inside the header: it has \(size) bytes, the header needs "
                       + "\(EFXFormat.headerSize)")
        }
        let header = EFXHeaderCoding.decodeHeader(bytes)
        try checkVersion(header.version, fail)
        guard Int(header.sectionCount) <= EFXFormat.maxSectionCount else {
            throw fail("the header declares \(header.sectionCount) sections, more than the "
                       + "\(EFXFormat.maxSectionCount) an .efx file may hold (the header is damaged)")
        }
        let count = Int(header.sectionCount)
        let tableEnd = EFXFormat.tableEnd(sectionCount: count)
        guard size >= tableEnd else {
            throw fail("the file is truncated inside the section table: it has \(size) bytes, the header and "
                       + "the table of \(count) sections need \(tableEnd)")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[0..<tableEnd])
        let computed = EFXHeaderCoding.headerChecksum(headerBytes)
        guard computed == header.checksum else {
            throw fail("the header or section table is damaged: checksum mismatch (stored \(hex(header.checksum)), "
                       + "computed \(hex(computed)))",
                       hint: "the file was damaged after it was written; write it again")
        }
        guard header.flags == 0, header.reserved == 0 else {
            throw fail("header flags \(hex(header.flags)) and reserved field \(hex(header.reserved)) must be 0 in "
                       + "format version 1")
        }
        let declaredSize = try CheckedSize.int(header.fileSize, "\(label): the declared file size",
                                               kind: .invalidArchive)
        let sections = try (0..<count).map { index in
            try entry(EFXHeaderCoding.decodeEntry(headerBytes, index: index), index: index, label: label, fail)
        }
        try checkLayout(sections, tableEnd: tableEnd, declaredSize: declaredSize, fail)
        try checkSize(size, declaredSize: declaredSize, sections: sections, fail)
        try checkPadding(bytes, sections: sections, tableEnd: tableEnd, fail)
        for section in sections where !deferred.contains(section.kind) {
            try verify(section, in: bytes, label: label)
        }
        return sections
    }

    /// Compares the checksum of `section` with the bytes.
    /// - Throws: `EdgeflowError.invalidArchive` "LABEL: section PROG (program): checksum mismatch …".
    static func verify(_ section: EFXSectionInfo, in bytes: UnsafeRawBufferPointer, label: String) throws {
        let range = section.offset..<section.offset + section.length
        let computed = XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[range]))
        guard computed == section.checksum else {
            throw EdgeflowError(.invalidArchive,
                "\(label): \(section.kind): checksum mismatch (stored \(hex(section.checksum)), computed "
                    + "\(hex(computed)) over \(section.length) bytes at offset \(section.offset))",
                hint: "the file was damaged after it was written; write it again")
        }
    }

    private static func checkVersion(_ version: UInt32, _ fail: (String, String?) -> EdgeflowError) throws {
        guard version >= 1 else { throw fail("format version 0 does not exist (the header is damaged)", nil) }
        guard version <= EFXFormat.currentVersion else {
            throw fail("the file uses .efx format version \(version), but this Edgeflow reads format versions up to "
                       + "\(EFXFormat.currentVersion)", "upgrade Edgeflow to run this file")
        }
    }

    private static func entry(_ raw: EFXRawEntry, index: Int, label: String,
                              _ fail: (String, String?) -> EdgeflowError) throws -> EFXSectionInfo {
        guard let kind = EFXSectionKind(tagBytes: raw.tag) else {
            let tag = [raw.tag.0, raw.tag.1, raw.tag.2, raw.tag.3].map { hex($0) }.joined(separator: " ")
            throw fail("section table entry \(index): kind tag \(tag) is not 4 printable ASCII characters", nil)
        }
        let what = "\(label): \(kind)"
        let offset = try CheckedSize.int(raw.offset, "\(what): offset", kind: .invalidArchive)
        let length = try CheckedSize.int(raw.length, "\(what): length", kind: .invalidArchive)
        _ = try CheckedSize.add(offset, length, "\(what): the end of bytes at offset \(offset)", kind: .invalidArchive)
        return EFXSectionInfo(kind: kind, flags: raw.flags, offset: offset, length: length, checksum: raw.checksum)
    }

    private static func checkLayout(_ sections: [EFXSectionInfo], tableEnd: Int, declaredSize: Int,
                                    _ fail: (String, String?) -> EdgeflowError) throws {
        var firstIndex: [EFXSectionKind: Int] = [:]
        var end = tableEnd
        for (index, section) in sections.enumerated() {
            if let first = firstIndex[section.kind] {
                throw fail("\(section.kind) appears twice in the section table (entries \(first) and \(index))", nil)
            }
            firstIndex[section.kind] = index
            guard section.offset % EFXFormat.alignment == 0 else {
                throw fail("\(section.kind): offset \(section.offset) is not a multiple of \(EFXFormat.alignment)", nil)
            }
            guard section.offset >= tableEnd else {
                throw fail("\(section.kind): offset \(section.offset) lies inside the header and section table "
                           + "(which end at byte \(tableEnd))", nil)
            }
            let sectionEnd = section.offset + section.length
            guard sectionEnd <= declaredSize else {
                throw fail("\(section.kind): bytes \(section.offset)..<\(sectionEnd) extend past the declared file "
                           + "size of \(declaredSize) bytes", nil)
            }
            end = max(end, sectionEnd)
        }
        guard end == declaredSize else {
            throw fail("the header declares \(declaredSize) bytes, but the table and sections end at byte \(end)", nil)
        }
        let nonEmpty = sections.filter { $0.length > 0 }.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(nonEmpty, nonEmpty.dropFirst())
        where previous.offset + previous.length > next.offset {
            throw fail("\(previous.kind) (bytes \(previous.offset)..<\(previous.offset + previous.length)) and "
                       + "\(next.kind) (bytes \(next.offset)..<\(next.offset + next.length)) overlap", nil)
        }
    }

    /// The real size must be the declared one; a short file names the first section it cuts.
    private static func checkSize(_ size: Int, declaredSize: Int, sections: [EFXSectionInfo],
                                  _ fail: (String, String?) -> EdgeflowError) throws {
        if size > declaredSize {
            throw fail("the file has \(size) bytes, but its header declares \(declaredSize) (\(size - declaredSize) "
                       + "unexpected bytes at the end)", nil)
        }
        guard size < declaredSize else { return }
        let cut = sections.filter { $0.offset + $0.length > size }.min { $0.offset < $1.offset }
        var message = "the file is truncated: it has \(size) bytes, its header declares \(declaredSize)"
        if let cut {
            let range = "bytes \(cut.offset)..<\(cut.offset + cut.length)"
            message += cut.offset >= size ? "; \(cut.kind) (\(range)) is missing entirely"
                : "; \(cut.kind) (\(range)) is cut after \(size - cut.offset) of its \(cut.length) bytes"
        }
        throw fail(message, "the file was not copied or downloaded completely; copy it again")
    }

    /// Every byte outside the header, the table and the sections must be zero.
    private static func checkPadding(_ bytes: UnsafeRawBufferPointer, sections: [EFXSectionInfo], tableEnd: Int,
                                     _ fail: (String, String?) -> EdgeflowError) throws {
        var position = tableEnd
        for section in sections.filter({ $0.length > 0 }).sorted(by: { $0.offset < $1.offset }) {
            if let bad = (position..<section.offset).first(where: { bytes[$0] != 0 }) {
                throw fail("byte \(bad), in the padding before \(section.kind), is \(hex(bytes[bad])), not 0 "
                           + "(the file is damaged)", nil)
            }
            position = section.offset + section.length
        }
        if let bad = (position..<bytes.count).first(where: { bytes[$0] != 0 }) {
            throw fail("byte \(bad), in the padding after the last section, is not 0 (the file is damaged)", nil)
        }
    }
}

/// "0x1f" style hex for messages.
func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
