// Resampler vs Pillow 13 and OpenCV 5.0 outputs (Tests/Goldens/media-resample, made by
// tools/goldens/make_media_resample_goldens.py): every filter must match byte for byte.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

/// Reads Tests/Goldens/media-resample/manifest.json and its u8 HWC images.
enum ResampleGoldens {
    static let folder = TestData.goldens.appendingPathComponent("media-resample")

    static func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func tensor(_ name: String) throws -> Tensor {
        try NPY.read(contentsOf: folder.appendingPathComponent(name))
    }

    static func image(_ name: String) throws -> PixelImage {
        let t = try tensor(name)
        XCTAssertEqual(t.dtype, .uint8, name)
        XCTAssertEqual(t.rank, 3, name)
        return try PixelImage(width: t.shape[1], height: t.shape[0], channels: t.shape[2],
                              pixels: t.scalars(as: UInt8.self))
    }
}

final class ResampleGoldenTests: XCTestCase {
    func testEveryFilterMatchesItsReferenceExactly() throws {
        let cases = try XCTUnwrap(ResampleGoldens.manifest()["resize"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 100)
        var checked: [String: Int] = [:]
        for c in cases {
            let input = try ResampleGoldens.image(try XCTUnwrap(c["input"] as? String))
            let expected = try ResampleGoldens.image(try XCTUnwrap(c["output"] as? String))
            let filter = try XCTUnwrap(ResampleFilter(rawValue: try XCTUnwrap(c["filter"] as? String)))
            let actual = try Resampler.resize(input, width: try XCTUnwrap(c["width"] as? Int),
                                              height: try XCTUnwrap(c["height"] as? Int), filter: filter)
            XCTAssertEqual(actual.width, expected.width)
            XCTAssertEqual(actual.height, expected.height)
            let worst = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            let mismatches = zip(actual.pixels, expected.pixels).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(c["output"] ?? "?"): \(mismatches) bytes differ, max \(worst)")
            checked[filter.rawValue, default: 0] += 1
        }
        XCTAssertEqual(Set(checked.keys), Set(ResampleFilter.allCases.map(\.rawValue)))
    }

    func testRejectsEmptyAndAbsurdSizes() throws {
        let image = PixelImage(zerosWidth: 3, height: 2, channels: 3)
        for (w, h) in [(0, 5), (5, 0), (-1, 3), (Resampler.maxSide + 1, 1), (40_000, 40_000)] {
            XCTAssertThrowsError(try Resampler.resize(image, width: w, height: h, filter: .bicubic)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArgument)
            }
        }
    }

    func testReduceMatchesPillowExactly() throws {
        let cases = try XCTUnwrap(ResampleGoldens.manifest()["reduce"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 12)
        for c in cases {
            let input = try ResampleGoldens.image(try XCTUnwrap(c["input"] as? String))
            let expected = try ResampleGoldens.image(try XCTUnwrap(c["output"] as? String))
            let actual = try input.reduced(by: try XCTUnwrap(c["factor"] as? Int))
            XCTAssertEqual([actual.width, actual.height, actual.channels],
                           [expected.width, expected.height, expected.channels])
            let mismatches = zip(actual.pixels, expected.pixels).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(c["output"] ?? "?"): \(mismatches) bytes differ")
        }
        XCTAssertThrowsError(try PixelImage(zerosWidth: 2, height: 2, channels: 3).reduced(by: 0))
    }

    func testSameSizeIsIdentity() throws {
        let image = try PixelImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        for filter in ResampleFilter.allCases {
            XCTAssertEqual(try Resampler.resize(image, width: 2, height: 2, filter: filter), image)
        }
    }
}
