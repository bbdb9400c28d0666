// SHA-1 against the FIPS 180-2 examples and against object ids computed by `git hash-object`.

import EFCore
import Foundation
import XCTest

final class SHA1Tests: XCTestCase {
    // FIPS 180-2, Appendix A (A.1, A.2 and A.3) and the digest of the empty message.
    func testFIPSExamples() {
        XCTAssertEqual(SHA1.hex(of: Data("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex(of: Data()), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        var hasher = SHA1()
        for _ in 0..<1000 { hasher.update(Data(repeating: UInt8(ascii: "a"), count: 1000)) }
        XCTAssertEqual(hasher.finalizeHex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// `printf 'hello\n' | git hash-object --stdin` and `git hash-object /dev/null`.
    func testGitBlobIds() {
        XCTAssertEqual(SHA1.hex(of: Data("blob 6\0hello\n".utf8)), "ce013625030ba8dba906f756967f9e9ca394464a")
        XCTAssertEqual(SHA1.hex(of: Data("blob 0\0".utf8)), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    }

    func testFileDigestEqualsDataDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha1-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = Data((0..<3_000_001).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try data.write(to: url)
        XCTAssertEqual(try SHA1.hex(ofFileAt: url), SHA1.hex(of: data))
    }
}
