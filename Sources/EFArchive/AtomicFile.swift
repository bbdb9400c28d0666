// Writes files atomically: into a temporary file in the destination's directory, flushed to
// disk, then renamed over the destination. On any failure the temporary file is removed, so
// a reader sees either the old file or the complete new one, and nothing is left behind.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic file replacement.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// - Throws: `EdgeflowError.io` when the directory is not writable, the disk is full, or
    ///   the rename fails.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try sink.write(data) }
    }

    /// Calls `body` with a sink over a temporary file next to `url`, then renames it to `url`.
    static func write(to url: URL, _ body: (ByteSink) throws -> Void) throws {
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).\(randomSuffix()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EdgeflowError(.io, "cannot create a file in \(directory): \(lastError())",
                                hint: "check that the directory exists and is writable")
        }
        var closed = false
        do {
            let sink = FileDescriptorSink(descriptor: descriptor, path: url.path)
            try body(sink)
            try sink.flush()
            guard fsync(descriptor) == 0 else {
                throw EdgeflowError(.io, "cannot write \(url.path): \(lastError())")
            }
            closed = true
            guard close(descriptor) == 0 else {
                throw EdgeflowError(.io, "cannot write \(url.path): \(lastError())")
            }
            guard rename(temporary, url.path) == 0 else {
                throw EdgeflowError(.io, "cannot replace \(url.path): \(lastError())",
                                    hint: "check that the path is not a directory and that you may write there")
            }
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
