// The file listing of a model repository as the Hugging Face Hub API returns it
// (GET /api/models/OWNER/NAME/tree/main?recursive=true: a JSON array of
// {type, path, size, oid, lfs: {oid, size}}), read as untrusted data: the document's size is
// capped, every path is checked before it can name a file on this machine, every size must be a
// non-negative integer, every file must carry a digest to check it by, and no path may repeat.

import EFCore
import Foundation

/// How a downloaded file is checked.
public enum FileDigest: Sendable, Equatable, CustomStringConvertible {
    /// SHA-256 of the bytes (the `lfs.oid` of a file stored in Git LFS).
    case sha256(String)
    /// git's blob id: SHA-1 of "blob <size>\0" followed by the bytes (the `oid` of a plain file).
    case gitBlobSHA1(String)

    /// "sha256" or "git blob sha1".
    public var algorithm: String {
        switch self {
        case .sha256: return "sha256"
        case .gitBlobSHA1: return "git blob sha1"
        }
    }

    /// "sha256 <hex>" or "git blob sha1 <hex>", as error messages show it.
    public var description: String { "\(algorithm) \(hex)" }
}

/// One file of a repository listing.
public struct HubFile: Sendable, Equatable {
    /// The path inside the repository ("visual/model.onnx"), already checked by `HubListing.checkPath`.
    public var path: String
    /// The size in bytes the listing gives.
    public var size: Int
    /// What the downloaded bytes must hash to.
    public var digest: FileDigest

    /// A file as a listing describes it.
    public init(path: String, size: Int, digest: FileDigest) {
        self.path = path
        self.size = size
        self.digest = digest
    }
}

/// Reads a repository listing.
public enum HubListing {
    /// The largest listing document accepted.
    public static let maxBytes = 8 << 20
    /// The longest path accepted.
    public static let maxPathLength = 1024

    private struct Entry: Decodable {
        var type: String
        var path: String
        var size: Int?
        var oid: String?
        var lfs: LFS?
    }

    private struct LFS: Decodable {
        var oid: String
        var size: Int
    }

    /// The files of a listing (directories dropped), in the listing's order.
    /// - Parameter source: names the listing in error messages (its URL).
    /// - Throws: `EdgeflowError.invalidModel` for a document over `maxBytes`, one that is not such an array,
    ///   a path `checkPath` refuses, a repeated path, a negative size, or a file without a well-formed digest.
    public static func files(from data: Data, source: String) throws -> [HubFile] {
        guard data.count <= maxBytes else {
            throw EdgeflowError(.invalidModel, "\(source): the listing is larger than \(maxBytes) bytes")
        }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw EdgeflowError(.invalidModel,
                                "\(source) is not a repository listing (a JSON array of files): \(error)")
        }
        var seen = Set<String>()
        var files: [HubFile] = []
        for entry in entries {
            try checkPath(entry.path, source: source)
            guard seen.insert(entry.path).inserted else {
                throw EdgeflowError(.invalidModel, "\(source) lists \"\(entry.path)\" twice")
            }
            guard entry.type == "file" else { continue }
            files.append(try file(entry, source: source))
        }
        return files
    }

    /// Refuses a path that could name anything outside the model's folder or be read two ways:
    /// empty, absolute, with a backslash, a control character, an empty, "." or ".." component, or too long.
    /// - Throws: `EdgeflowError.invalidModel` naming the path.
    public static func checkPath(_ path: String, source: String) throws {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let bad = path.isEmpty || path.utf8.count > maxPathLength || path.hasPrefix("/") || path.contains("\\")
            || path.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            || components.contains { $0.isEmpty || $0 == "." || $0 == ".." }
        guard !bad else {
            throw EdgeflowError(.invalidModel, "\(source) lists an unsafe path \(String(reflecting: path))",
                                hint: "a repository path must be relative, without \"..\", \".\" or empty parts")
        }
    }

    private static func file(_ entry: Entry, source: String) throws -> HubFile {
        let name = "\(source): \(entry.path)"
        guard let size = entry.size, size >= 0 else {
            throw EdgeflowError(.invalidModel, "\(name) has no size or a negative one")
        }
        if let lfs = entry.lfs {
            guard lfs.size == size, isHex(lfs.oid, count: 64) else {
                throw EdgeflowError(.invalidModel, "\(name): its LFS entry needs a 64-digit sha256 and the file's size")
            }
            return HubFile(path: entry.path, size: size, digest: .sha256(lfs.oid.lowercased()))
        }
        guard let oid = entry.oid, isHex(oid, count: 40) else {
            throw EdgeflowError(.invalidModel, "\(name) has neither an LFS sha256 nor a 40-digit git blob id")
        }
        return HubFile(path: entry.path, size: size, digest: .gitBlobSHA1(oid.lowercased()))
    }

    private static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0 | 0x20) }
    }
}
