// The files of a calibration set: a single file, or a folder walked recursively in sorted name
// order with hidden entries ignored, each file classified by its first bytes (never its name).
// Only regular files are opened (a FIFO or device would block or never end), symbolic links are
// followed once (a link back to a folder already walked is ignored), nesting is bounded.

import EFCore
import EFMedia
import Foundation

/// Listing and classifying the files of a calibration set.
enum CalibrationFolder {
    /// What a file is, from its first `FileKind.prefixLength` bytes.
    enum Kind: Equatable {
        case npy, npz
        case photo(ImageFormat)
        /// Neither a photo nor an array; the reason it cannot be used.
        case other(String)

        var isArray: Bool { self == .npy || self == .npz }
        var isPhoto: Bool { if case .photo = self { return true } else { return false } }
        var reason: String { if case .other(let reason) = self { return reason } else { return "" } }
    }

    struct Entry {
        var url: URL
        var kind: Kind
    }

    struct Listing {
        /// The files in walk order (sorted names, depth first); entries that are not regular files
        /// or cannot be examined are `.other` with the reason.
        var files: [Entry] = []
        var isFolder = false
    }

    /// Folders nested deeper than this under the set's folder are refused.
    static let maxDepth = 64

    /// The files at `url`: `url` itself when it is a file, else the folder's files.
    /// - Throws: `EdgeflowError.io` when `url` does not exist or cannot be listed;
    ///   `.invalidInput` when it is neither a file nor a folder, or folders nest too deep.
    static func list(_ url: URL) throws -> Listing {
        var listing = Listing()
        switch fileType(of: url) {
        case .typeDirectory?:
            listing.isFolder = true
            var visited: Set<String> = []
            try walk(url, depth: 0, visited: &visited, into: &listing)
        case .typeRegular?:
            do {
                listing.files = [Entry(url: url, kind: try classify(url))]
            } catch let error as EdgeflowError {
                throw error.prefixed(url.path)
            }
        case nil:
            throw EdgeflowError(.io, "\(url.path): no such file or folder",
                                hint: "give an .npy or .npz file or a folder of them or of photos")
        default:
            throw EdgeflowError(.invalidInput, "\(url.path) is neither a regular file nor a folder",
                                hint: "give an .npy or .npz file or a folder of them or of photos")
        }
        return listing
    }

    /// Appends the files under `folder` in sorted name order.
    private static func walk(_ folder: URL, depth: Int, visited: inout Set<String>,
                             into listing: inout Listing) throws {
        guard visited.insert(folder.resolvingSymlinksInPath().path).inserted else { return }
        guard depth <= maxDepth else {
            throw EdgeflowError(.invalidInput, "\(folder.path): folders nest more than \(maxDepth) levels deep",
                                hint: "give a folder with a shallower tree")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw EdgeflowError(.io, "\(folder.path): cannot list the folder (\(error.localizedDescription))",
                                hint: "check that the folder is readable")
        }
        let visible = names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in visible {
            let url = folder.appendingPathComponent(name)
            switch fileType(of: url) {
            case .typeDirectory?:
                try walk(url, depth: depth + 1, visited: &visited, into: &listing)
            case .typeRegular?:
                do {
                    listing.files.append(Entry(url: url, kind: try classify(url)))
                } catch let error as EdgeflowError {
                    listing.files.append(Entry(url: url, kind: .other(error.message)))
                }
            case nil:
                listing.files.append(Entry(url: url, kind: .other("cannot be examined (a broken link?)")))
            default:
                listing.files.append(Entry(url: url, kind: .other("not a regular file")))
            }
        }
    }

    /// The type of the file `url` names, symbolic links followed; nil when it cannot be examined.
    private static func fileType(of url: URL) -> FileAttributeType? {
        let resolved = url.resolvingSymlinksInPath()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved.path) else { return nil }
        return attributes[.type] as? FileAttributeType
    }

    /// The kind of a regular file, from its first bytes.
    /// - Throws: `EdgeflowError.io` when it cannot be opened or read.
    static func classify(_ url: URL) throws -> Kind {
        let head = try prefix(of: url, count: FileKind.prefixLength)
        if let format = ImageDecoder.format(of: head) { return .photo(format) }
        switch FileKind.detect(head) {
        case .npy: return .npy
        case .zip: return .npz
        case .unknown where head.isEmpty: return .other("an empty file")
        case let kind: return .other("\(kind.userName), not a photo or an .npy/.npz array")
        }
    }

    /// At most the first `count` bytes of the file at `url` (fewer when it is shorter).
    /// - Throws: `EdgeflowError.io` when the file cannot be opened or read.
    private static func prefix(of url: URL, count: Int) throws -> [UInt8] {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw EdgeflowError(.io, "cannot open the file (\(error.localizedDescription))")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw EdgeflowError(.io, "cannot read the file (\(error.localizedDescription))")
        }
    }
}
