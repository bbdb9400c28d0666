// Every fixture in Tests/Goldens/media-decode decoded by ImageDecoder and compared with
// Pillow's Image.open → exif_transpose → convert("RGB") (or draft) output, or for camera RAW
// files with rawpy's, within the tolerance the manifest states for it (0 unless the libraries
// differ; the note says why).

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class DecodeGoldenTests: XCTestCase {
    struct Case: Decodable {
        let `case`: String
        let file: String
        let format: String
        let golden: String
        let stored: [Int]
        let orientation: Int
        let minimum: [Int]?
        let tolerance: Int
        let note: String
    }

    struct Manifest: Decodable { let cases: [Case] }

    static let folder = TestData.goldens.appendingPathComponent("media-decode")

    /// The Pillow cases (cases.json) and the camera RAW cases with rawpy goldens (raw-cases.json).
    static func cases() throws -> [Case] {
        try ["cases.json", "raw-cases.json"].flatMap { name in
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            return try JSONDecoder().decode(Manifest.self, from: data).cases
        }
    }

    func testEveryFixtureMatchesPillow() throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        var formats = Set<String>()
        for c in cases {
            let url = Self.folder.appendingPathComponent(c.file)
            var options = DecodeOptions()
            options.minimumWidth = c.minimum?[0]
            options.minimumHeight = c.minimum?[1]
            let decoded: DecodedImage
            do {
                decoded = try ImageDecoder.decode(contentsOf: url, options: options)
            } catch {
                XCTFail("\(c.case): \(error)")
                continue
            }
            formats.insert(decoded.format.rawValue)
            XCTAssertEqual(decoded.format.rawValue, c.format, c.case)
            XCTAssertEqual([decoded.storedWidth, decoded.storedHeight], c.stored, c.case)
            if c.format != "heif" { XCTAssertEqual(decoded.orientation, c.orientation, c.case) }
            let golden = try NPY.read(contentsOf: Self.folder.appendingPathComponent(c.golden))
            XCTAssertEqual(golden.dtype, .uint8, c.case)
            let image = decoded.image
            guard golden.shape == [image.height, image.width, 3], image.channels == 3 else {
                XCTFail("\(c.case): got \(image.width)×\(image.height)×\(image.channels), Pillow \(golden.shape)")
                continue
            }
            let expected = golden.scalars(as: UInt8.self)
            var worst = 0, differing = 0
            for (a, b) in zip(image.pixels, expected) {
                let d = abs(Int(a) - Int(b))
                worst = max(worst, d)
                if d > 0 { differing += 1 }
            }
            print("decode golden \(c.case): \(image.width)×\(image.height) \(decoded.reduction) max |Δ| = \(worst) "
                  + "(\(differing) of \(expected.count) samples differ), tolerance \(c.tolerance)")
            XCTAssertLessThanOrEqual(worst, c.tolerance, "\(c.case): \(c.note)")
        }
        XCTAssertEqual(formats, Set(ImageFormat.allCases.map(\.rawValue)))
    }

    func testScaledDecodeReportsReduction() throws {
        let url = Self.folder.appendingPathComponent("jpeg_draft_quarter.jpg")
        let full = try ImageDecoder.decode(contentsOf: url)
        XCTAssertEqual(full.reduction, "full")
        XCTAssertEqual([full.image.width, full.image.height], [800, 600])
        let quarter = try ImageDecoder.decode(contentsOf: url,
                                              options: DecodeOptions(minimumWidth: 200, minimumHeight: 150))
        XCTAssertEqual(quarter.reduction, "DCT 1/4")
        let half = try ImageDecoder.decode(contentsOf: url,
                                           options: DecodeOptions(minimumWidth: 201, minimumHeight: 150))
        XCTAssertEqual(half.reduction, "DCT 1/2")  // 800 / 201 = 3 → Pillow's draft picks 2
        XCTAssertEqual([half.image.width, half.image.height], [400, 300])
        let heic = try ImageDecoder.decode(contentsOf: Self.folder.appendingPathComponent("heic_thumbnail.heic"),
                                           options: DecodeOptions(minimumWidth: 300, minimumHeight: 200))
        XCTAssertEqual(heic.reduction, "box 1/2",
                       "the 200-pixel thumbnail is too small for 300×200: decoded whole, then reduced")
        XCTAssertEqual([heic.image.width, heic.image.height], [400, 300])
    }

    /// Formats without a reduced decode are decoded whole, oriented, then reduced by Pillow's
    /// reduce() with draft's factor rule (the reduce itself is checked against Pillow in ResampleGoldenTests).
    func testOtherFormatsAreReducedAfterDecoding() throws {
        let url = Self.folder.appendingPathComponent("png_exif_orientation_6.png")
        let full = try ImageDecoder.decode(contentsOf: url)
        XCTAssertEqual([full.image.width, full.image.height], [47, 61])
        let half = try ImageDecoder.decode(contentsOf: url, options: DecodeOptions(minimumWidth: 20, minimumHeight: 20))
        XCTAssertEqual(half.reduction, "box 1/2", "min(47 / 20, 61 / 20) = 2")
        XCTAssertEqual(half.image, try full.image.reduced(by: 2))
        XCTAssertEqual([half.displayedWidth, half.displayedHeight], [47, 61])
        let quarter = try ImageDecoder.decode(contentsOf: url,
                                              options: DecodeOptions(minimumWidth: 11, minimumHeight: 1))
        XCTAssertEqual(quarter.reduction, "box 1/4", "min(47 / 11, 61 / 1) = 4")
        XCTAssertEqual([quarter.image.width, quarter.image.height], [12, 16])
        let kept = try ImageDecoder.decode(contentsOf: url, options: DecodeOptions(minimumWidth: 24, minimumHeight: 20))
        XCTAssertEqual(kept.reduction, "full", "47 / 24 = 1")
    }

    func testOrientationCanBeLeftUnapplied() throws {
        let url = Self.folder.appendingPathComponent("jpeg_orientation_6.jpg")
        let stored = try ImageDecoder.decode(contentsOf: url, options: DecodeOptions(applyOrientation: false))
        XCTAssertEqual([stored.image.width, stored.image.height, stored.orientation], [61, 47, 1])
        // Same pixels as the orientation-1 file (both were saved from the same image).
        let upright = try NPY.read(contentsOf: Self.folder.appendingPathComponent("jpeg_orientation_1.npy"))
        XCTAssertEqual(stored.image.pixels, upright.scalars(as: UInt8.self))
    }
}
