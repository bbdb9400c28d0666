// Free disk space where a model is about to be written (statvfs), checked before downloading.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free space on file systems.
public enum DiskSpace {
    /// The bytes an unprivileged process may still write on the file system holding `url` (or,
    /// when it does not exist yet, its nearest existing parent).
    /// - Throws: `EdgeflowError.io` when no parent can be examined.
    public static func available(at url: URL) throws -> Int {
        var path = url.standardizedFileURL.path
        while !FileManager.default.fileExists(atPath: path), path != "/" {
            path = (path as NSString).deletingLastPathComponent
        }
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw EdgeflowError(.io, "cannot read the free space of \(path): \(String(cString: strerror(errno)))")
        }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return overflow || bytes > UInt64(Int.max) ? Int.max : Int(bytes)
    }

    /// Refuses to go on when fewer than `needed` bytes are free at `url`.
    /// - Throws: `EdgeflowError.io` saying how much is needed and how much is free.
    public static func require(_ needed: Int, at url: URL, for purpose: String) throws {
        let free = try available(at: url)
        guard free >= needed else {
            throw EdgeflowError(.io, "\(purpose) needs \(needed) bytes but only \(free) are free at \(url.path)",
                                hint: "free some space or choose another folder with --models-dir")
        }
    }
}
