// Destinations for bytes as a zip file is produced: memory, a file descriptor, or a wrapper
// that checksums and counts what passes through (for a zip member streamed inside a zip).

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives bytes in order.
protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
    func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }
}

/// Collects bytes in memory.
final class DataSink: ByteSink {
    private(set) var data = Data()
    func write(_ bytes: UnsafeRawBufferPointer) throws { data.append(contentsOf: bytes) }
}

/// Passes bytes on to another sink while computing their CRC-32 and count.
final class ChecksummingSink: ByteSink {
    private let destination: ByteSink
    private(set) var crc = CRC32()
    private(set) var byteCount: UInt64 = 0

    init(_ destination: ByteSink) { self.destination = destination }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        crc.update(bytes)
        byteCount += UInt64(bytes.count)
        try destination.write(bytes)
    }
}

/// Writes to an open file descriptor, buffering small writes. `flush()` before closing.
final class FileDescriptorSink: ByteSink {
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private static let bufferLimit = 1 << 16

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(Self.bufferLimit)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count <= Self.bufferLimit {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        try writeFully(bytes)
    }

    /// Writes out buffered bytes.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeFully($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw EdgeflowError(.io, "cannot write \(path): \(String(cString: strerror(errno)))",
                                    hint: "check free disk space and permissions")
            }
            remaining -= written
            pointer += written
        }
    }
}

/// write(2), named so that it does not clash with the sinks' `write` methods.
private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, pointer, count)
    #else
    return Darwin.write(descriptor, pointer, count)
    #endif
}
