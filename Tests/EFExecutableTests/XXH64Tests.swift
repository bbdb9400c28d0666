// XXH64 against published vectors and against the reference implementation on every length
// class (under 4, 4–7, 8–31, whole stripes, stripes plus tails), one-shot and streaming.

import EFExecutable
import XCTest

final class XXH64Tests: XCTestCase {
    /// Published XXH64 values (seed 0) of short strings. Sources: the empty string in LLVM's
    /// llvm/unittests/Support/xxhashTest.cpp and ClickHouse's 00803_xxhash.sql test; "a" and
    /// "abc" in ifduyue/nim-xxhash tests/test_xxh64_update.nim (as decimals); "foo", "bar" and
    /// the 36-character string in the same LLVM test. The 31-character string (one byte short of
    /// a stripe) was checked with python-xxhash 4.1.0 (libxxhash 0.8.4), as were all the others.
    func testPublishedVectors() {
        let vectors: [(String, UInt64)] = [
            ("", 0xEF46_DB37_51D8_E999),
            ("a", 0xD24E_C4F1_A98C_6E5B),
            ("abc", 0x44BC_2CF5_AD77_0999),
            ("foo", 0x33BF_00A8_59C4_BA3F),
            ("bar", 0x48A3_7C90_AD27_A659),
            ("abcdefghijklmnopqrstuvwxyz12345", 0x4676_0590_1B01_D6F6),
            ("0123456789abcdefghijklmnopqrstuvwxyz", 0x6919_6C1B_3AF0_BFF9),
        ]
        for (text, expected) in vectors {
            XCTAssertEqual(XXH64.hash(Array(text.utf8)), expected, "XXH64(\"\(text)\")")
        }
    }

    /// A fixed pseudo-random buffer: byte i = ((7i² + 13i + 5) >> 1) mod 256.
    private let buffer: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: (7 * $0 * $0 + 13 * $0 + 5) >> 1) }

    /// Values from python-xxhash 4.1.0 (`xxhash.xxh64(buffer[:n]).intdigest()`), the binding of
    /// the reference C implementation 0.8.4, for prefixes that exercise every branch.
    private let prefixHashes: [(Int, UInt64)] = [
        (0, 0xEF46_DB37_51D8_E999), (1, 0x4B79_B8C9_5732_B0E7), (3, 0xD8C3_69EF_3EC5_E5AF),
        (4, 0x3939_B497_1481_CE73), (7, 0x547B_058F_2819_361E), (8, 0xC494_923D_27C0_DD5D),
        (31, 0xB8E5_8B79_DF5D_E68A), (32, 0x821A_255E_59AF_27F3), (33, 0xADE6_5CAD_36C0_64C0),
        (63, 0x47D5_52DB_B369_D20C), (64, 0xDAC4_7F48_7D53_8636), (100, 0xCCF6_4774_2D26_5E1F),
        (1000, 0x8FE7_70B0_7508_3DD8),
    ]

    func testPrefixesAgainstReferenceImplementation() {
        for (length, expected) in prefixHashes {
            XCTAssertEqual(XXH64.hash(Array(buffer.prefix(length))), expected, "prefix of \(length) bytes")
        }
        XCTAssertEqual(XXH64.hash(buffer, seed: 0x9E37_79B1), 0x67F4_30AD_4B09_B192, "seeded")
    }

    func testStreamingMatchesOneShotForEverySplit() {
        for (length, expected) in prefixHashes where length >= 32 {
            let bytes = Array(buffer.prefix(length))
            for chunk in [1, 3, 7, 16, 31, 32, 33, 50] {
                var hasher = XXH64()
                var start = 0
                while start < bytes.count {
                    let end = min(start + chunk, bytes.count)
                    bytes[start..<end].withUnsafeBytes { hasher.update($0) }
                    start = end
                }
                XCTAssertEqual(hasher.digest(), expected, "\(length) bytes in chunks of \(chunk)")
            }
        }
        XCTAssertEqual(XXH64().digest(), 0xEF46_DB37_51D8_E999)
    }

    func testUnalignedInputGivesTheSameHash() {
        let shifted = [UInt8](repeating: 0, count: 3) + buffer
        let hash = shifted.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[3...])) }
        XCTAssertEqual(hash, 0x8FE7_70B0_7508_3DD8)
    }
}
