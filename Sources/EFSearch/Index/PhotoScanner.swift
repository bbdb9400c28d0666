// Walks photo folders recursively and lists the photo files in them (by extension) with size
// and modification time. Hidden files and folders are skipped, symbolic links are not followed
// (a link loop cannot trap the walk), and a folder that cannot be read is reported instead of
// ending the scan.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a scan of some folders found.
public struct FolderScan: Sendable {
    /// The photo files, sorted by path.
    public var files: [ScannedFile]
    /// The roots, absolute and standardized, as given.
    public var roots: [String]
    /// Folders (roots or inside them) that could not be read, with the reason.
    public var unreadable: [(path: String, reason: String)]
    /// Files skipped because their extension is not a photo's.
    public var skippedOther: Int
}

public enum PhotoScanner {
    /// The extensions indexed (lower case): the decoders' formats and the camera RAW formats.
    public static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "heic", "heif", "gif", "tif",
                                                      "tiff", "dng", "cr2", "cr3", "nef", "nrw", "arw", "srf", "sr2",
                                                      "orf", "rw2", "raf", "pef", "srw"]

    /// Scans `folders` (a file given directly is taken as it is).
    /// - Throws: `EdgeflowError.invalidArgument` when no folder was given.
    public static func scan(_ folders: [String]) throws -> FolderScan {
        guard !folders.isEmpty else { throw EdgeflowError(.invalidArgument, "no folder to index was given") }
        let roots = folders.map(absolute)
        var scan = FolderScan(files: [], roots: roots, unreadable: [], skippedOther: 0)
        var seen = Set<String>()
        for root in roots {
            var info = stat()
            guard stat(root, &info) == 0 else {
                scan.unreadable.append((root, String(cString: strerror(errno))))
                continue
            }
            if info.st_mode & S_IFMT == S_IFREG {
                if isPhoto(root), seen.insert(root).inserted { scan.files.append(file(root, info)) }
                continue
            }
            walk(root, into: &scan, seen: &seen)
        }
        scan.files.sort { $0.path < $1.path }
        return scan
    }

    /// True when the file name has a photo extension.
    public static func isPhoto(_ path: String) -> Bool {
        photoExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// `path` made absolute (against the current directory) and standardized, without a trailing slash.
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let standard = (full as NSString).standardizingPath
        return standard.count > 1 && standard.hasSuffix("/") ? String(standard.dropLast()) : standard
    }

    private static func walk(_ root: String, into scan: inout FolderScan, seen: inout Set<String>) {
        var pending = [root]
        while let folder = pending.popLast() {
            guard let directory = opendir(folder) else {
                scan.unreadable.append((folder, String(cString: strerror(errno))))
                continue
            }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard !name.hasPrefix(".") else { continue }
                let path = folder == "/" ? "/" + name : folder + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }  // vanished since readdir
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG:
                    if !isPhoto(path) { scan.skippedOther += 1 } else if seen.insert(path).inserted {
                        scan.files.append(file(path, info))
                    }
                default: continue  // links, devices, sockets
                }
            }
        }
    }

    private static func file(_ path: String, _ info: stat) -> ScannedFile {
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return ScannedFile(path: path, size: Int(info.st_size), mtimeNanoseconds: mtime)
    }
}
