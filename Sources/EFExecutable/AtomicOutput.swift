// Deploy-side atomic file output for the `.efx` writer: bytes go to a hidden temporary file in
// the destination's directory, which is flushed to disk and renamed over the destination only
// when everything was written. On any failure the temporary file is unlinked, so readers see
// the old file or the whole new one and nothing half-written is left behind.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file being written; `AtomicOutput.write` gives one to its body.
public final class AtomicOutput {
    private let descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Calls `body` with an output over a fresh temporary file next to `url`; when it returns,
    /// syncs the file and renames it to `url`.
    /// - Throws: `EdgeflowError.io` naming `url` when creating, writing, syncing or renaming
    ///   fails; whatever `body` throws. In every failure the temporary file is removed.
    public static func write(to url: URL, _ body: (AtomicOutput) throws -> Void) throws {
        let directory = url.deletingLastPathComponent().path
        let temporaryPath = "\(directory)/.\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).efx-tmp"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EdgeflowError(.io, "cannot write \(url.path): cannot create a file in \(directory) "
                                + "(\(systemError()))", hint: "check that the directory exists and is writable")
        }
        var isOpen = true
        do {
            try body(AtomicOutput(descriptor: descriptor, path: url.path))
            guard fsync(descriptor) == 0 else {
                throw EdgeflowError(.io, "cannot write \(url.path): \(systemError())")
            }
            isOpen = false
            guard close(descriptor) == 0 else {
                throw EdgeflowError(.io, "cannot write \(url.path): \(systemError())")
            }
            guard rename(temporaryPath, url.path) == 0 else {
                throw EdgeflowError(.io, "cannot replace \(url.path): \(systemError())",
                                    hint: "check that the path is not a directory and that you may write there")
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporaryPath)
            throw error
        }
        syncDirectory(directory)
    }

    /// Writes all of `bytes`.
    /// - Throws: `EdgeflowError.io` (disk full, I/O error).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, pointer, min(remaining, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw EdgeflowError(.io, "cannot write \(path): \(AtomicOutput.systemError())",
                                    hint: "check free disk space and permissions")
            }
            remaining -= written
            pointer += written
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Makes the rename durable; a failure here changes nothing a reader sees, so it is ignored.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}

/// write(2) under a name that does not clash with `AtomicOutput.write`.
private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, pointer, count)
    #else
    return Darwin.write(descriptor, pointer, count)
    #endif
}
