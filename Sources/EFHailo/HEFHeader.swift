// The binary header of a Hailo HEF file (big-endian; 32, 28, 44 or 56 bytes for versions 0–3)
// and its integrity checks: MD5 (v0), CRC-32 (v1), XXH3-64 (v2, v3) over everything after the
// header, plus v3's separate XXH3-64 of the proto alone when the header carries one. Layout
// from HailoRT's hef_internal.hpp (`hef__header_t`), as described in hef-format.md §2–3.

import EFCore

/// A checksum from the header and the one computed over the file.
public struct HEFChecksum: Codable, Equatable, Sendable {
    /// `MD5`, `CRC-32` or `XXH3-64`.
    public var algorithm: String
    /// What it covers, e.g. "proto + CCW section".
    public var covers: String
    /// The value in the header and the computed one, as upper-case hex (HailoRT's `Hef::hash` form).
    public var stored: String
    public var computed: String
    public var matches: Bool { stored == computed }
}

/// The decoded header of a HEF file.
public struct HEFHeader: Codable, Equatable, Sendable {
    /// The 4-byte magic every HEF starts with: `01 48 45 46` ("\u{1}HEF").
    public static let magic: [UInt8] = [0x01, 0x48, 0x45, 0x46]
    /// Header sizes of versions 0...3.
    public static let sizes = [32, 28, 44, 56]

    /// Header version, 0...3.
    public var version: Int
    public var headerSize: Int
    /// Bytes of the serialized `ProtoHEFHef` right after the header.
    public var protoSize: Int
    /// Bytes of the CCW (config word) section, without v3's padding; 0 for v0.
    public var ccwSize: Int
    /// v3: zero bytes after the proto that align the CCW section to 4 KiB.
    public var paddingSize: Int
    /// v3: bytes of the additional-info section after the CCWs.
    public var additionalInfoSize: Int
    /// The checksum over everything after the header.
    public var checksum: HEFChecksum
    /// v3 files written by DFC 5: XXH3-64 of the proto alone (HailoRT 5 checks only this one).
    public var protoChecksum: HEFChecksum?

    /// The file size the header implies.
    public var expectedFileSize: Int {
        headerSize + protoSize + paddingSize + ccwSize + additionalInfoSize
    }

    private static func be(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Reads and checks the header of `bytes` (the whole file).
    /// - Throws: `invalidInput` when the magic is wrong, `unsupported` for an unknown version,
    ///   `invalidModel` when the sizes do not match the file (truncated or trailing bytes).
    static func read(_ bytes: [UInt8]) throws -> (header: HEFHeader, proto: Range<Int>) {
        guard bytes.count >= 12 else {
            throw EdgeflowError(.invalidInput, "HEF header: the file has \(bytes.count) bytes, fewer than the "
                                + "12-byte common header")
        }
        guard Array(bytes[0..<4]) == magic else {
            let found = bytes[0..<4].map { hex(UInt64($0), digits: 2) }.joined(separator: " ")
            throw EdgeflowError(.invalidInput, "HEF header: magic is \(found), expected 01 48 45 46 (\\x01HEF)")
        }
        let rawVersion = be(bytes, 4, 4)
        guard rawVersion < 4 else {
            throw EdgeflowError(.unsupported, "HEF header: version \(rawVersion) is not supported (known: 0 to 3)",
                                hint: "the file was written by a newer Hailo Dataflow Compiler")
        }
        let version = Int(rawVersion)
        let headerSize = sizes[version]
        guard bytes.count >= headerSize else {
            throw EdgeflowError(.invalidModel, "HEF header: truncated: a version \(version) header has "
                                + "\(headerSize) bytes, the file has \(bytes.count)")
        }
        func size(_ offset: Int, _ count: Int, _ name: String) throws -> Int {
            try CheckedSize.int(be(bytes, offset, count), "HEF header: \(name)", kind: .invalidModel)
        }
        let protoSize = try size(8, 4, "hef_proto_size")
        var header = HEFHeader(version: version, headerSize: headerSize, protoSize: protoSize, ccwSize: 0,
                               paddingSize: 0, additionalInfoSize: 0,
                               checksum: HEFChecksum(algorithm: "", covers: "", stored: "", computed: ""))
        var storedProtoHash: UInt64 = 0
        switch version {
        case 0:
            header.checksum = HEFChecksum(algorithm: "MD5", covers: "proto",
                                          stored: bytes[16..<32].map { hex(UInt64($0), digits: 2) }.joined(),
                                          computed: "")
        case 1:
            header.ccwSize = try size(16, 8, "ccws_size")
            header.checksum = HEFChecksum(algorithm: "CRC-32", covers: "proto + CCW section",
                                          stored: hex(be(bytes, 12, 4), digits: 8), computed: "")
        case 2:
            header.ccwSize = try size(20, 8, "ccws_size")
            header.checksum = HEFChecksum(algorithm: "XXH3-64", covers: "proto + CCW section",
                                          stored: hex(be(bytes, 12, 8), digits: 16), computed: "")
        default:
            let withPadding = try size(20, 8, "ccws_size_with_padding")
            header.paddingSize = try size(28, 4, "hef_padding_size")
            guard withPadding >= header.paddingSize else {
                throw EdgeflowError(.invalidModel, "HEF header: ccws_size_with_padding \(withPadding) is smaller "
                                    + "than hef_padding_size \(header.paddingSize)")
            }
            header.ccwSize = withPadding - header.paddingSize
            header.additionalInfoSize = try size(32, 8, "additional_info_size")
            header.checksum = HEFChecksum(algorithm: "XXH3-64",
                                          covers: "proto + padding + CCW section + additional info",
                                          stored: hex(be(bytes, 12, 8), digits: 16), computed: "")
            storedProtoHash = be(bytes, 40, 8)
        }
        var expected = headerSize
        for part in [protoSize, header.paddingSize, header.ccwSize, header.additionalInfoSize] {
            expected = try CheckedSize.add(expected, part, "HEF header: file size", kind: .invalidModel)
        }
        guard expected == bytes.count else {
            let parts = "header \(headerSize) + proto \(protoSize)"
                + (version == 0 ? "" : " + CCW section \(header.ccwSize + header.paddingSize)")
                + (version == 3 ? " + additional info \(header.additionalInfoSize)" : "")
            let what = expected > bytes.count ? "truncated" : "has \(bytes.count - expected) trailing bytes"
            throw EdgeflowError(.invalidModel, "HEF header: the file is \(what): the header says \(expected) bytes "
                                + "(\(parts)), the file has \(bytes.count)",
                                hint: expected > bytes.count ? "the copy or download was cut short" : nil)
        }
        header.checksum.computed = bytes.withUnsafeBytes { raw in
            let residue = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
            switch version {
            case 0: return MD5.digest(residue).map { hex(UInt64($0), digits: 2) }.joined()
            case 1: return hex(UInt64(CRC32.checksum(residue)), digits: 8)
            default: return hex(XXH3.hash(residue), digits: 16)
            }
        }
        let proto = headerSize..<(headerSize + protoSize)
        if version == 3, storedProtoHash != 0 {
            let computed = bytes.withUnsafeBytes { XXH3.hash(UnsafeRawBufferPointer(rebasing: $0[proto])) }
            header.protoChecksum = HEFChecksum(algorithm: "XXH3-64", covers: "proto",
                                               stored: hex(storedProtoHash, digits: 16),
                                               computed: hex(computed, digits: 16))
        }
        return (header, proto)
    }

    /// Throws when a checksum does not match, naming the damaged region as far as the
    /// checksums can tell.
    func verify() throws {
        if let protoChecksum, !protoChecksum.matches {
            throw EdgeflowError(.invalidModel, "HEF proto: damaged: its XXH3-64 is \(protoChecksum.computed), "
                                + "the header says \(protoChecksum.stored)", hint: Self.damageHint)
        }
        guard checksum.matches else {
            let region = version == 0 ? "HEF proto" : protoChecksum != nil ? "CCW section" : "HEF proto or CCW section"
            let note = protoChecksum != nil ? " (the proto's own hash matches, so the damage is after it)" : ""
            throw EdgeflowError(.invalidModel, "\(region): damaged: the \(checksum.algorithm) over \(checksum.covers) "
                                + "is \(checksum.computed), the header says \(checksum.stored)\(note)",
                                hint: Self.damageHint)
        }
    }

    static let damageHint = "the file was changed after compilation; copy or compile it again "
        + "(--no-verify shows it anyway)"
}
