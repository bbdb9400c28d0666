// The small float formats against tables computed independently with ml_dtypes and
// onnx.numpy_helper (Tests/Goldens/small-types, tools/goldens/make_small_type_goldens.py):
// every code decoded, and probe values (neighbours' midpoints and one ulp either side,
// overflow, ±0, ±inf, NaN) encoded with and without saturation.

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class SmallFloatGoldenTests: XCTestCase {
    private let formats: [(String, SmallFloatFormat)] = [
        ("float8e4m3fn", .e4m3fn), ("float8e4m3fnuz", .e4m3fnuz), ("float8e5m2", .e5m2),
        ("float8e5m2fnuz", .e5m2fnuz), ("float4e2m1", .e2m1), ("float8e8m0", .e8m0),
    ]

    private func golden(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: TestData.goldens.appendingPathComponent("small-types/\(name).npy")))
    }

    func testEveryCodeDecodesAsMLDtypes() throws {
        for (name, format) in formats {
            let expected = try golden("\(name)_decode").scalars(as: Float.self)
            for (code, value) in expected.enumerated() {
                let actual = Float(format.decode(UInt8(code)))
                XCTAssertTrue(actual.bitPattern == value.bitPattern || (actual.isNaN && value.isNaN),
                              "\(name) code \(code): \(actual), expected \(value)")
            }
        }
    }

    func testEveryCodeRoundTripsThroughFloat32() throws {
        for (name, format) in formats {
            for code in 0..<(name == "float4e2m1" ? 16 : 256) {
                let value = format.decode(UInt8(code))
                // e8m0 code 0 is 2^-127, a float32 subnormal: the reference (float32 exponent
                // field, rounding up) encodes it as code 1.
                guard !value.isNaN, !(name == "float8e8m0" && code == 0) else { continue }
                let back = format.encode(Double(Float(value)), saturate: false)
                XCTAssertEqual(back, UInt8(code), "\(name) code \(code) (\(value))")
            }
        }
    }

    func testProbesEncodeAsTheONNXReference() throws {
        for (name, format) in formats where name != "float8e8m0" {
            let probes = try golden("\(name)_probes").scalars(as: Float.self)
            for saturate in [true, false] {
                let expected = try golden("\(name)_\(saturate ? "saturate" : "nosaturate")").scalars(as: UInt8.self)
                var wrong: [String] = []
                for (probe, code) in zip(probes, expected) {
                    let actual = format.encode(Double(probe), saturate: saturate)
                    if actual != code { wrong.append("\(probe) → \(actual), expected \(code)") }
                }
                XCTAssertEqual(wrong, [], "\(name) saturate=\(saturate)")
            }
        }
    }

    func testE8M0RoundingModesAsTheONNXReference() throws {
        let probes = try golden("float8e8m0_probes").scalars(as: Float.self)
        for mode in [SmallFloatFormat.E8M0Rounding.up, .down, .nearest] {
            for saturate in [true, false] {
                let name = "float8e8m0_\(mode.rawValue)\(saturate ? "" : "_nosat")"
                let expected = try golden(name).scalars(as: UInt8.self)
                let wrong = zip(probes, expected).filter {
                    SmallFloatFormat.encodeE8M0($0.0, saturate: saturate, mode: mode) != $0.1
                }
                XCTAssertEqual(wrong.count, 0, "\(mode) saturate=\(saturate): first \(wrong.prefix(3))")
            }
        }
    }
}
