// What SHA-1 and SHA-256 offer alike: hex digests of data and of files read in chunks, so a
// multi-gigabyte model is hashed without being held in memory.

import Foundation

/// An incremental hash with a hexadecimal digest.
public protocol MessageDigest: Sendable {
    init()
    /// Adds bytes to the message.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest as lowercase hexadecimal. The hasher must not be updated afterwards.
    mutating func finalizeHex() -> String
}

extension MessageDigest {
    /// Adds bytes to the message.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Adds the bytes of the file at `url`, read in 1 MiB chunks.
    /// - Throws: `EdgeflowError.io` when the file cannot be opened or read.
    public mutating func update(contentsOf url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw EdgeflowError(.io, "cannot open \(url.path) to compute its digest")
        }
        defer { try? handle.close() }
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { update(chunk) }
        } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// The hex digest of `data`.
    public static func hex(of data: Data) -> String {
        var hasher = Self()
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// The hex digest of a file, read in 1 MiB chunks.
    /// - Throws: `EdgeflowError.io` when the file cannot be opened or read.
    public static func hex(ofFileAt url: URL) throws -> String {
        var hasher = Self()
        try hasher.update(contentsOf: url)
        return hasher.finalizeHex()
    }
}
