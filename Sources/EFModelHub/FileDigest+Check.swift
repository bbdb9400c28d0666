// Checking a file on disk against the digest a listing gave it.

import EFCore
import Foundation

extension FileDigest {
    /// The expected digest in hex.
    public var hex: String {
        switch self {
        case .sha256(let hex), .gitBlobSHA1(let hex): return hex
        }
    }

    /// The same kind of digest computed over the file at `url` (of `size` bytes), in hex.
    /// - Throws: `EdgeflowError.io` when the file cannot be read.
    public func actualHex(ofFileAt url: URL, size: Int) throws -> String {
        switch self {
        case .sha256:
            return try SHA256.hex(ofFileAt: url)
        case .gitBlobSHA1:
            var hasher = SHA1()
            hasher.update(Data("blob \(size)\0".utf8))
            try hasher.update(contentsOf: url)
            return hasher.finalizeHex()
        }
    }
}
