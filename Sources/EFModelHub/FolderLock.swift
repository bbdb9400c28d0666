// An exclusive lock on a model's folder (flock on the directory itself, no lock file), so two
// pulls of one model never write the same partial files; the kernel drops it when the process
// ends, killed or not.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Holds the lock until `release()` or the end of the process.
final class FolderLock {
    private var descriptor: Int32

    /// Locks `folder` (creating it), or fails at once when another process holds it.
    /// - Throws: `EdgeflowError.io` naming `purpose` when the folder is locked or cannot be opened.
    init(_ folder: URL, purpose: String) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw EdgeflowError(.io, "cannot create \(folder.path): \(error.localizedDescription)")
        }
        descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw EdgeflowError(.io, "cannot open \(folder.path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw EdgeflowError(.io, "\(folder.path) is in use by another \(purpose)",
                                hint: "wait for it to finish; a pull that was stopped continues where it stopped")
        }
    }

    /// Releases the lock.
    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
