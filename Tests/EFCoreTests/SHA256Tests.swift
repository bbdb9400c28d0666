// SHA-256 against the published FIPS 180-2 example digests, and incremental hashing.

import EFCore
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    // FIPS 180-2, Appendix B (examples B.1, B.2 and B.3) and the digest of the empty message.
    func testFIPSExamples() {
        XCTAssertEqual(SHA256.hex(of: Data("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Data()),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testMillionAsFedInUnevenChunks() {
        let million = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var offset = 0
        var chunk = 1
        while offset < million.count {
            let end = min(offset + chunk, million.count)
            hasher.update(million[offset..<end])
            offset = end
            chunk = chunk * 3 % 1000 + 1
        }
        XCTAssertEqual(hasher.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFileDigestEqualsDataDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try data.write(to: url)
        XCTAssertEqual(try SHA256.hex(ofFileAt: url), SHA256.hex(of: data))
        XCTAssertThrowsError(try SHA256.hex(ofFileAt: url.appendingPathExtension("missing")))
    }
}
