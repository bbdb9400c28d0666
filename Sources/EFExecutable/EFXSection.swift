// The sections of an `.efx` file: a four-character kind tag (META, PROG, WGHT, RCPE, or any
// other printable ASCII tag a later version adds) and the section's bytes. The container does
// not interpret the bytes; what each kind holds is described in docs/efx-format.md.

import Foundation

/// The kind of an `.efx` section: four printable ASCII characters (0x21…0x7E), stored in the
/// file as those four bytes in order. Known kinds have a readable name for messages.
public struct EFXSectionKind: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The four tag bytes, as they appear in the file.
    public let bytes: (UInt8, UInt8, UInt8, UInt8)

    /// Metadata: model name, inputs, outputs, versions.
    public static let metadata: EFXSectionKind = "META"
    /// The compiled program.
    public static let program: EFXSectionKind = "PROG"
    /// The packed weights (the large, memory-mapped section).
    public static let weights: EFXSectionKind = "WGHT"
    /// The preprocessing recipe.
    public static let recipe: EFXSectionKind = "RCPE"

    /// The kind with tag `tag`, or nil unless it is exactly four printable ASCII characters.
    public init?(tag: String) {
        let utf8 = Array(tag.utf8)
        guard utf8.count == 4 else { return nil }
        self.init(tagBytes: (utf8[0], utf8[1], utf8[2], utf8[3]))
    }

    /// The kind with these four bytes, or nil unless all are printable ASCII.
    init?(tagBytes: (UInt8, UInt8, UInt8, UInt8)) {
        let all = [tagBytes.0, tagBytes.1, tagBytes.2, tagBytes.3]
        guard all.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        bytes = tagBytes
    }

    /// A kind from a literal such as `"PROG"`; a literal that is not four printable ASCII
    /// characters is a programming error (trap).
    public init(stringLiteral value: String) {
        guard let kind = EFXSectionKind(tag: value) else {
            preconditionFailure("an .efx section kind is 4 printable ASCII characters, not '\(value)'")
        }
        self = kind
    }

    /// The four characters, e.g. "PROG".
    public var tag: String {
        String(decoding: [bytes.0, bytes.1, bytes.2, bytes.3], as: UTF8.self)
    }

    /// A readable name of the known kinds ("program"), nil for others.
    public var name: String? {
        switch tag {
        case "META": return "metadata"
        case "PROG": return "program"
        case "WGHT": return "weights"
        case "RCPE": return "recipe"
        default: return nil
        }
    }

    /// "section PROG (program)" or "section ABCD": how messages name a section of this kind.
    public var description: String {
        name.map { "section \(tag) (\($0))" } ?? "section \(tag)"
    }

    public static func == (a: EFXSectionKind, b: EFXSectionKind) -> Bool { a.bytes == b.bytes }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.0)
        hasher.combine(bytes.1)
        hasher.combine(bytes.2)
        hasher.combine(bytes.3)
    }
}

/// One section to write: its kind, flags (meaning defined per kind; 0 unless the kind's
/// documentation says otherwise) and bytes.
public struct EFXSection: Sendable {
    public let kind: EFXSectionKind
    public let flags: UInt32
    public let bytes: Data

    public init(kind: EFXSectionKind, flags: UInt32 = 0, bytes: Data) {
        self.kind = kind
        self.flags = flags
        self.bytes = bytes
    }
}

/// What the table says about one section of an opened file.
public struct EFXSectionInfo: Sendable, Equatable {
    public let kind: EFXSectionKind
    public let flags: UInt32
    /// Byte offset in the file, a multiple of 64.
    public let offset: Int
    /// Byte length (may be 0).
    public let length: Int
    /// XXH64 (seed 0) of the section's bytes, as stored in the table.
    public let checksum: UInt64
}
