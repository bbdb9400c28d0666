// Recognizes what a file is from its first bytes, never from its name: an Edgeflow executable
// or archive, a Hailo executable, an ONNX or TFLite model, a numpy array, or one of the photo
// formats.
// Only a bounded prefix is read, so any file (or /dev/zero) is classified in constant time.

import Foundation

/// The kinds of file Edgeflow meets, as told by their contents.
public enum FileKind: Equatable, Sendable, CaseIterable {
    /// An Edgeflow executable: starts with the `.efx` magic.
    case efx
    /// An Edgeflow archive: a zip whose first member is one of the archive's own members.
    case efa
    /// A zip file that is not an Edgeflow archive.
    case zip
    /// A Hailo executable (HEF): starts with 01 'H' 'E' 'F'.
    case hef
    /// An ONNX model: protobuf fields of a ModelProto (ir_version, producer, graph, …).
    case onnx
    /// A TFLite model: a FlatBuffer with the file identifier "TFL3" at bytes 4..<8.
    case tflite
    /// A numpy `.npy` array.
    case npy
    case jpeg, png, webp, gif, tiff
    /// HEIF/HEIC: an ISO-BMFF `ftyp` box with a HEIF brand.
    case heif
    /// Anything else.
    case unknown

    /// The first bytes of an `.efx` file (EFExecutable's `EFXFormat.magic` is the same).
    public static let efxMagic: [UInt8] = [0x89, 0x45, 0x46, 0x58, 0x0D, 0x0A, 0x1A, 0x0A]

    /// How many bytes `detect` looks at.
    public static let prefixLength = 512

    /// A name for messages, e.g. "Edgeflow executable (.efx)".
    public var userName: String {
        switch self {
        case .efx: return "Edgeflow executable (.efx)"
        case .efa: return "Edgeflow archive (.efa)"
        case .zip: return "zip file"
        case .hef: return "Hailo executable (HEF)"
        case .onnx: return "ONNX model"
        case .tflite: return "TFLite model"
        case .npy: return "numpy array (.npy)"
        case .jpeg: return "JPEG image"
        case .png: return "PNG image"
        case .webp: return "WebP image"
        case .gif: return "GIF image"
        case .tiff: return "TIFF image"
        case .heif: return "HEIF/HEIC image"
        case .unknown: return "unrecognized file"
        }
    }

    /// The kind of the file at `url`, from at most `prefixLength` bytes.
    /// - Throws: `EdgeflowError.io` when the file cannot be opened or read.
    public static func detect(url: URL) throws -> FileKind {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw EdgeflowError(.io, "\(url.path): cannot open the file (\(error.localizedDescription))",
                                hint: "check that the file exists and is readable")
        }
        defer { try? handle.close() }
        do {
            let prefix = try handle.read(upToCount: prefixLength) ?? Data()
            return detect(Array(prefix))
        } catch {
            throw EdgeflowError(.io, "\(url.path): cannot read the file (\(error.localizedDescription))",
                                hint: "check that the path names a readable file")
        }
    }

    /// The kind of a file starting with `prefix` (pass at least `prefixLength` bytes when the
    /// file has them; shorter prefixes are judged on what they hold).
    public static func detect(_ prefix: [UInt8]) -> FileKind {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + magic.count && Array(prefix[offset..<offset + magic.count]) == magic
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts(efxMagic) { return .efx }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return isEdgeflowArchive(prefix) ? .efa : .zip }
        if starts([0x01, 0x48, 0x45, 0x46]) { return .hef }
        if starts(NPY.magic) { return .npy }
        if ascii("TFL3", at: 4) { return .tflite }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if ascii("RIFF"), ascii("WEBP", at: 8) { return .webp }
        if ascii("GIF87a") || ascii("GIF89a") { return .gif }
        if ascii("II*\u{0}") || ascii("MM\u{0}*") || ascii("II+\u{0}") || ascii("MM\u{0}+") { return .tiff }
        if ascii("ftyp", at: 4), prefix.count >= 12,
           heifBrands.contains(String(decoding: prefix[8..<12], as: UTF8.self)) { return .heif }
        if ModelProtoPrefix.isPlausible(prefix) { return .onnx }
        return .unknown
    }

    /// Major brands of HEIF still images and sequences (ISO/IEC 23008-12).
    private static let heifBrands: Set<String> = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs",
                                                  "mif1", "msf1"]

    /// The names Edgeflow archives give their members; an archive starts with one of them.
    private static let archiveMembers: Set<String> = ["metadata.json", "graph.json", "weights.npz"]

    /// True when the first zip local header names an Edgeflow archive member.
    private static func isEdgeflowArchive(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 30 else { return false }
        let nameLength = Int(prefix[26]) | Int(prefix[27]) << 8
        guard prefix.count >= 30 + nameLength else { return false }
        return archiveMembers.contains(String(decoding: prefix[30..<30 + nameLength], as: UTF8.self))
    }
}

/// A walk over the protobuf fields at the start of a file, accepting it as an ONNX ModelProto
/// when every field seen is a ModelProto field with the right wire type.
private enum ModelProtoPrefix {
    /// ModelProto field numbers and their wire types (0 varint, 2 length-delimited), from
    /// onnx.proto: ir_version, producer_name/version, domain, model_version, doc_string, graph,
    /// opset_import, metadata_props, training_info, functions, configuration.
    private static let fields: [UInt64: UInt64] = [1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2,
                                                   25: 2, 26: 2]

    static func isPlausible(_ bytes: [UInt8]) -> Bool {
        var position = 0
        var seen = 0
        while position < bytes.count, seen < 4 {
            guard let tag = varint(bytes, &position), let wireType = fields[tag >> 3], tag & 7 == wireType else {
                return false
            }
            guard let value = varint(bytes, &position) else { return position >= bytes.count && seen > 0 }
            if tag == 1 << 3, !(1...64).contains(value) { return false }  // ir_version is small
            if wireType == 2 {
                guard value <= UInt64(Int.max - position) else { return false }
                position += Int(value)
            }
            seen += 1
        }
        return seen > 0 && (bytes.first == 0x08 || seen >= 2)
    }

    /// A varint at `position`, nil when it is cut or longer than 10 bytes.
    private static func varint(_ bytes: [UInt8], _ position: inout Int) -> UInt64? {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < bytes.count else { return nil }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return result }
        }
        return nil
    }
}
