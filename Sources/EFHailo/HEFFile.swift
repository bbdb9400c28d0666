// The public entry point of EFHailo: opens a Hailo Executable Format (.hef) file from memory,
// checks its header and checksums, decodes the needed parts of the `ProtoHEFHef` proto and
// describes it the way `hailortcli parse-hef` does, with quantization and more.

import EFCore
import Foundation

/// A Hailo executable (.hef) read for inspection. Edgeflow cannot run one; it describes it.
public struct HEFFile: Sendable {
    /// Everything read from the file.
    public let description: HEFDescription

    /// Largest HEF read into memory (real files are under 200 MB).
    public static let maximumSize = 1 << 31

    /// True when `prefix` (the first bytes of a file) starts with the HEF magic `01 48 45 46`.
    public static func looksLikeHEF(_ prefix: Data) -> Bool {
        prefix.count >= 4 && Array(prefix.prefix(4)) == HEFHeader.magic
    }

    /// Reads a HEF held in `data`.
    /// - Parameters:
    ///   - label: the name shown in the description and messages, usually the path.
    ///   - verifyChecksums: when false, a checksum mismatch is reported in the description
    ///     (`HEFChecksum.matches`) instead of thrown.
    /// - Throws: `EdgeflowError` — `invalidInput` for a file that is not a HEF, `unsupported`
    ///   for an unknown header version, `invalidModel` for a damaged one; the message names the
    ///   region ("HEF header", "HEF proto", "CCW section").
    public init(data: Data, label: String, verifyChecksums: Bool = true) throws {
        guard data.count <= Self.maximumSize else {
            throw EdgeflowError(.invalidInput, "HEF header: the file has \(data.count) bytes, more than the "
                                + "\(Self.maximumSize) Edgeflow reads")
        }
        let bytes = [UInt8](data)
        let (header, protoRange) = try HEFHeader.read(bytes)
        if verifyChecksums { try header.verify() }
        let proto = try HEFProtoDecoder.decode(Array(bytes[protoRange]), fileOffset: protoRange.lowerBound)
        description = try Self.describe(proto, header: header, label: label, fileSize: bytes.count)
    }

    /// Reads the HEF at `url`.
    public init(contentsOf url: URL, verifyChecksums: Bool = true) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(data: data, label: url.path, verifyChecksums: verifyChecksums)
    }

    private static func describe(_ proto: ProtoHef, header: HEFHeader, label: String,
                                 fileSize: Int) throws -> HEFDescription {
        var warnings: [String] = []
        let required = proto.extensions.map { HEFExtension(type: $0.typeIndex, name: $0.name) }
        let optional = proto.optionalExtensions.map { HEFExtension(type: $0.typeIndex, name: $0.name) }
        let unknown = required.filter { $0.type > HEFFormats.lastKnownExtension }
        if !unknown.isEmpty {
            let names = unknown.map { $0.name.isEmpty ? "type \($0.type)" : "\($0.name) (type \($0.type))" }
            warnings.append("required extensions unknown to HailoRT 5.2, which refuses the file: "
                            + names.joined(separator: ", "))
        }
        if proto.header.version != 0, !required.contains(where: { $0.type == HEFFormats.periphCalculationExtension }) {
            warnings.append("outdated HEF: no PERIPH_CALCULATION_IN_HAILORT extension (HailoRT 4.23 refuses it)")
        }
        let present = Set(required.map(\.type) + optional.map(\.type))
        var groups: [HEFNetworkGroup] = []
        for (position, group) in proto.networkGroups.enumerated() {
            groups.append(try HEFGroupBuilder.build(group, position: position, extensions: present,
                                                    warnings: &warnings))
        }
        if groups.isEmpty { warnings.append("the file has no network groups") }
        groups.sort { $0.name < $1.name }
        for resource in proto.externalResources {
            let end = resource.offset.addingReportingOverflow(resource.size)
            if end.overflow || end.partialValue > header.ccwSize + header.additionalInfoSize {
                warnings.append("external resource '\(resource.name)' lies outside the CCW section")
            }
        }
        return HEFDescription(label: label, fileSize: fileSize, header: header, sdkVersion: proto.header.sdkVersion,
                              protoVersion: proto.header.version,
                              timestamp: proto.header.timestamp == 0 ? nil : proto.header.timestamp,
                              architecture: HEFFormats.architecture(proto.header.hwArch), extensions: required,
                              optionalExtensions: optional, mappingBytes: proto.mappingBytes,
                              networkGroups: groups, warnings: warnings)
    }
}
