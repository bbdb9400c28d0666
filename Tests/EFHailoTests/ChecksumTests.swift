// MD5 and XXH3-64 against published test vectors.

import EFHailo
import XCTest

final class ChecksumTests: XCTestCase {
    /// RFC 1321 appendix A.5, the test suite.
    func testMD5MatchesRFC1321Suite() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in vectors { XCTAssertEqual(MD5.hex(Array(text.utf8)), digest, text) }
    }

    /// The sanity buffer of xxHash's own self-test (xxhsum): byte i is the top byte of
    /// 2654435761 · 11400714785074694797^i (mod 2^64).
    private func sanityBuffer(_ count: Int) -> [UInt8] {
        var generator: UInt64 = 2_654_435_761
        return (0..<count).map { _ in
            defer { generator = generator &* 11_400_714_785_074_694_797 }
            return UInt8(generator >> 56)
        }
    }

    /// XXH3_64bits with seed 0, from xxHash's sanity-check table; the lengths cover every code
    /// path (0, 1–3, 4–8, 9–16, 17–128, 129–240, and the long loop with and without a last block).
    func testXXH3MatchesXXHashSanityVectors() {
        let vectors: [(Int, UInt64)] = [
            (0, 0x2D06_8005_38D3_94C2), (1, 0xC44B_DFF4_074E_ECDB), (6, 0x27B5_6A84_CD2D_7325),
            (12, 0xA713_DAF0_DFBB_77E7), (24, 0xA3FE_70BF_9D35_10EB), (48, 0x397D_A259_ECBA_1F11),
            (80, 0xBCDE_FBBB_2C47_C90A), (195, 0xCD94_217E_E362_EC3A), (403, 0xCDEB_804D_65C6_DEA4),
            (512, 0x617E_4959_9013_CB6B), (2048, 0xDD59_E2C3_A5F0_38E0), (2240, 0x6E73_A905_39CF_2948),
            (2367, 0xCB37_AEB9_E5D3_61ED),
        ]
        for (length, expected) in vectors {
            XCTAssertEqual(XXH3.hash(sanityBuffer(length)), expected, "length \(length)")
        }
    }

    /// Lengths at every branch boundary, checked against the Python `xxhash` package 3.x
    /// (`xxh3_64_intdigest`) on bytes `(i * 131 + 7) & 0xFF`.
    func testXXH3AtBranchBoundaries() {
        let vectors: [(Int, UInt64)] = [
            (3, 0x6E3E_2670_E611_06AC), (4, 0x5C4C_6313_3443_D03F), (8, 0xF9FD_4DD0_B04D_78F5),
            (9, 0x7C20_DF97_12C2_6EDF), (16, 0x86AB_F6BA_CCEA_0858), (17, 0xB58B_F5DC_5022_D071),
            (128, 0x10D1_7F72_C0CC_BA41), (129, 0x1648_BDC3_DB49_D1A2), (240, 0xB6CF_AF34_3FAB_81E6),
            (241, 0x956C_AE59_2C67_279E), (1024, 0x70BD_377D_9574_F4BB), (1025, 0x66C4_487C_41E1_27A7),
            (100_000, 0x14CE_8D6F_C2C4_868B),
        ]
        for (length, expected) in vectors {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 131 + 7) }
            XCTAssertEqual(XXH3.hash(bytes), expected, "length \(length)")
        }
    }
}
