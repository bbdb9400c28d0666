// The .npz reader and writer: round trips, member-name escaping, files written by numpy
// itself (Tests/Goldens/archive, made by tools/archive/make_npz_goldens.py), and damage.

import EFArchive
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class NPZTests: XCTestCase {
    private func sampleArrays() -> [(key: String, tensor: Tensor)] {
        [
            (key: "conv1.weight", tensor: Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, -0.5, .infinity, 3e-38))),
            (key: "/backbone/conv/Conv_output_0", tensor: Tensor(shape: [3], scalars: [Int64](arrayLiteral: -1, 0, .max))),
            (key: "onnx::Mul_7", tensor: Tensor(shape: [], scalars: [UInt8(200)])),
        ]
    }

    func testRoundTripIsBitwise() throws {
        let arrays = sampleArrays()
        let decoded = try NPZ.decode(NPZ.encode(arrays), label: "test.npz")
        XCTAssertEqual(Set(decoded.keys), Set(arrays.map(\.key)))
        for (key, tensor) in arrays {
            XCTAssertTrue(try XCTUnwrap(decoded[key]).isBitwiseEqual(to: tensor), key)
        }
    }

    func testMemberNamesAreEscapedReversibly() throws {
        XCTAssertEqual(NPZ.memberName(forKey: "conv1.weight"), "conv1.weight.npy")
        XCTAssertEqual(NPZ.memberName(forKey: "onnx::Mul_7"), "onnx%3A%3AMul_7.npy")
        XCTAssertEqual(NPZ.memberName(forKey: "/a/b"), "%2Fa%2Fb.npy")
        XCTAssertEqual(NPZ.memberName(forKey: ".."), "%2E..npy")
        XCTAssertEqual(NPZ.memberName(forKey: "100%"), "100%25.npy")
        for key in ["", "..", "100%", "über/naïve ✓", "a%2Fb", "x y\tz", "-_.~"] {
            XCTAssertEqual(NPZ.key(forMemberName: NPZ.memberName(forKey: key)), key)
        }
        XCTAssertNil(NPZ.key(forMemberName: "a.txt"))
        XCTAssertNil(NPZ.key(forMemberName: "bad%4.npy"))
        let members = try ZipFile.decode(NPZ.encode(sampleArrays()), label: "test.npz").map(\.name)
        XCTAssertEqual(members, ["conv1.weight.npy", "%2Fbackbone%2Fconv%2FConv_output_0.npy", "onnx%3A%3AMul_7.npy"])
    }

    func testReadsAnNPZWrittenByNumpy() throws {
        let data = try Data(contentsOf: TestData.goldens.appendingPathComponent("archive/numpy_savez.npz"))
        let arrays = try NPZ.decode(data, label: "numpy_savez.npz")
        // The values tools/archive/make_npz_goldens.py writes.
        XCTAssertEqual(arrays["f32"]?.shape, [2, 3])
        XCTAssertEqual(arrays["f32"]?.scalars(as: Float.self), [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(arrays["i64"]?.scalars(as: Int64.self), [-1, 1 << 40, 7])
        XCTAssertEqual(arrays["u8"]?.scalars(as: UInt8.self), [0, 255, 17, 128])
        XCTAssertEqual(arrays["flags"]?.scalars(as: Bool.self), [true, false, true])
        XCTAssertEqual(arrays["f16"]?.scalars(as: Float16.self), [1.5, -2])
        XCTAssertEqual(arrays["scalar"]?.shape, [])
        XCTAssertEqual(arrays["scalar"]?.scalars(as: Double.self), [3.25])
        // numpy does not escape: the member is "layer/with.dots.npy", which unescapes to itself.
        XCTAssertEqual(arrays["layer/with.dots"]?.scalars(as: Int32.self), [1, 2])
    }

    func testRefusesCompressedMembersClearly() throws {
        let data = try Data(contentsOf: TestData.goldens.appendingPathComponent("archive/numpy_savez_compressed.npz"))
        XCTAssertThrowsError(try NPZ.decode(data, label: "compressed.npz")) { error in
            let error = error as? EdgeflowError
            XCTAssertEqual(error?.kind, .unsupported)
            XCTAssertTrue(error?.message.contains("compressed (deflate)") == true, "\(String(describing: error))")
            XCTAssertTrue(error?.hint?.contains("savez_compressed") == true)
        }
    }

    func testDetectsACorruptedByteWithTheCRC() throws {
        var data = try NPZ.encode(sampleArrays())
        // The last byte of the first member's data (its float 3e-38) sits before the second local header.
        let secondHeader = try XCTUnwrap(data.range(of: Data([0x50, 0x4B, 0x03, 0x04]), in: 4..<data.count))
        data[secondHeader.lowerBound - 1] ^= 0x01
        XCTAssertThrowsError(try NPZ.decode(data, label: "flipped.npz")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("CRC-32"), "\(error)")
            XCTAssertTrue("\(error)".contains("conv1.weight.npy"), "\(error)")
        }
    }

    func testEveryTruncationIsAnError() throws {
        let data = try NPZ.encode(sampleArrays())
        for length in 0..<data.count {
            XCTAssertThrowsError(try NPZ.decode(data.prefix(length), label: "cut.npz"), "length \(length)") { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive, "length \(length): \(error)")
            }
        }
    }

    func testEverySingleByteFlipIsHandledWithoutCrashing() throws {
        let arrays = sampleArrays()
        let data = try NPZ.encode(arrays)
        var detected = 0
        for index in 0..<data.count {
            var damaged = data
            damaged[index] ^= 0x5A
            do {
                let decoded = try NPZ.decode(damaged, label: "damaged.npz")
                // Undetected flips may only touch fields that carry no content (e.g. timestamps).
                for (key, tensor) in arrays {
                    XCTAssertTrue(decoded[key]?.isBitwiseEqual(to: tensor) == true, "flip at \(index) changed \(key)")
                }
            } catch is EdgeflowError {
                detected += 1
            }
        }
        XCTAssertGreaterThan(detected, data.count * 3 / 4)
    }

    func testZip64SizeMarkersWithoutAZip64RecordAreDamage() throws {
        var data = try NPZ.encode(sampleArrays())
        let central = try XCTUnwrap(data.range(of: Data([0x50, 0x4B, 0x01, 0x02])))
        for offset in 20..<28 { data[central.lowerBound + offset] = 0xFF }  // compressed and uncompressed size
        XCTAssertThrowsError(try NPZ.decode(data, label: "big.npz")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("(4294967295 bytes at offset 46) runs past the end"), "\(error)")
        }
    }

    func testNonNPYMemberIsAnError() throws {
        let zip = try ZipFile.encode([(name: "readme.txt", data: Data("hi".utf8))])
        XCTAssertThrowsError(try NPZ.decode(zip, label: "odd.npz")) { error in
            XCTAssertTrue("\(error)".contains("readme.txt"), "\(error)")
        }
        let badArray = try ZipFile.encode([(name: "a.npy", data: Data("not numpy".utf8))])
        XCTAssertThrowsError(try NPZ.decode(badArray, label: "odd.npz")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
        }
    }
}
