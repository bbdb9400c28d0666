// Recipes end to end vs the reference pipelines reproduced by
// tools/goldens/make_media_resample_goldens.py (torchvision, insightface, RapidOCR code paths).

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class RecipeGoldenTests: XCTestCase {
    func recipe(_ name: String, _ params: [String: Any]) throws -> PreprocessRecipe {
        switch name {
        case "clip": return .clip(size: try XCTUnwrap(params["size"] as? Int))
        case "siglip": return .squash(width: try XCTUnwrap(params["width"] as? Int), height: try XCTUnwrap(params["height"] as? Int))
        case "scrfd": return .letterbox(width: try XCTUnwrap(params["width"] as? Int), height: try XCTUnwrap(params["height"] as? Int))
        case "ocr-det":
            return .ocrDetection(limitSide: try XCTUnwrap(params["limit_side"] as? Int),
                                 limitType: try XCTUnwrap(PreprocessRecipe.LimitType(rawValue: try XCTUnwrap(params["limit_type"] as? String))))
        case "ocr-rec":
            return .ocrRecognition(height: try XCTUnwrap(params["height"] as? Int), minWidth: try XCTUnwrap(params["min_width"] as? Int))
        default: throw XCTSkip("unknown recipe \(name) in manifest")
        }
    }

    func testRecipesMatchTheReferencePipelines() throws {
        let cases = try XCTUnwrap(ResampleGoldens.manifest()["recipes"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 7)
        for c in cases {
            let name = try XCTUnwrap(c["recipe"] as? String)
            let r = try recipe(name, try XCTUnwrap(c["params"] as? [String: Any]))
            let input = try ResampleGoldens.image(try XCTUnwrap(c["input"] as? String))
            let prepared = try r.apply(to: input)
            let label = "\(name) on \(c["input"] ?? "?")"

            // u8: the reference's resized image (RGB; for ocr-rec without the right padding,
            // which RapidOCR adds after normalization).
            let u8Expected = try ResampleGoldens.image(try XCTUnwrap(c["u8"] as? String))
            let u8 = TensorPacker.makeTensor(prepared, layout: .nhwcUInt8, normalization: Normalization(mean: [0.5], std: [1]))
            let width = prepared.image.width
            XCTAssertEqual(u8.shape, [1, u8Expected.height, prepared.image.width, 3], label)
            let bytes = u8.scalars(as: UInt8.self)
            let contentBytes = (0..<u8Expected.height).flatMap { y in bytes[(y * width * 3)..<((y * width + u8Expected.width) * 3)] }
            XCTAssertEqual(contentBytes, u8Expected.pixels, "\(label): u8 differs")
            if prepared.padding == .zeroAfterNormalization && width > u8Expected.width {
                XCTAssertEqual(bytes[(width - 1) * 3], 128, "\(label): u8 padding is round(255·0.5)")
            }

            let f32Expected = try ResampleGoldens.tensor(try XCTUnwrap(c["f32"] as? String))
            let f32 = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: r.normalization)
            XCTAssertEqual(f32.shape, f32Expected.shape, label)
            XCTAssertEqual(maxAbsDifference(f32, f32Expected), 0, "\(label): float tensor differs")

            let g = try XCTUnwrap(c["geometry"] as? [String: Any])
            XCTAssertEqual(prepared.geometry.scaleX, try XCTUnwrap(g["scale_x"] as? Double), accuracy: 1e-12, label)
            XCTAssertEqual(prepared.geometry.scaleY, try XCTUnwrap(g["scale_y"] as? Double), accuracy: 1e-12, label)
            XCTAssertEqual(prepared.geometry.offsetX, try XCTUnwrap(g["offset_x"] as? Double), label)
            XCTAssertEqual(prepared.geometry.offsetY, try XCTUnwrap(g["offset_y"] as? Double), label)
            let content = try XCTUnwrap(g["content"] as? [Int])
            XCTAssertEqual([prepared.geometry.contentX, prepared.geometry.contentY,
                            prepared.geometry.contentWidth, prepared.geometry.contentHeight], content, label)
        }
    }

    func testOCRRecognitionWidthsFollowRapidOCR() throws {
        let rows = try XCTUnwrap(ResampleGoldens.manifest()["ocr_rec_widths"] as? [[String: Int]])
        for row in rows {
            let w = try XCTUnwrap(row["width"]), h = try XCTUnwrap(row["height"])
            let prepared = try PreprocessRecipe.ocrRecognition().apply(to: PixelImage(zerosWidth: w, height: h, channels: 3))
            XCTAssertEqual(prepared.image.width, row["padded_width"], "\(w)×\(h)")
            XCTAssertEqual(prepared.geometry.contentWidth, row["resized_width"], "\(w)×\(h)")
        }
    }

    func testPresetsParseDescribeAndRejectUnknownNames() throws {
        for preset in PreprocessRecipe.presetNames {
            let r = try PreprocessRecipe.named(preset.name)
            XCTAssertGreaterThanOrEqual(r.description.count, 3, preset.name)
        }
        XCTAssertEqual(try PreprocessRecipe.named("clip", size: 336).kind, .clip(size: 336))
        XCTAssertTrue(try PreprocessRecipe.named("clip").description.joined().contains("BICUBIC"))
        XCTAssertThrowsError(try PreprocessRecipe.named("jpeg-magic"))
        XCTAssertThrowsError(try PreprocessRecipe.named("clip", size: 0))
    }

    func testTinyImagesAndBatches() throws {
        let pixel = try PixelImage(width: 1, height: 1, channels: 3, pixels: [10, 20, 30])
        let clip = try PreprocessRecipe.clip(size: 8).apply(to: pixel)
        XCTAssertEqual(clip.image.pixels, [UInt8](repeating: 0, count: 0) + Array(repeating: [10, 20, 30], count: 64).flatMap { $0 })
        XCTAssertThrowsError(try PreprocessRecipe.ocrDetection(limitSide: 736, limitType: .max).apply(to: pixel))
        let batch = try TensorPacker.makeBatch([clip, clip], layout: .nchwFloat32, normalization: .clip)
        XCTAssertEqual(batch.shape, [2, 3, 8, 8])
        let other = try PreprocessRecipe.clip(size: 4).apply(to: pixel)
        XCTAssertThrowsError(try TensorPacker.makeBatch([clip, other], layout: .nhwcUInt8, normalization: .clip))
        XCTAssertThrowsError(try TensorPacker.makeBatch([], layout: .nhwcUInt8, normalization: .clip))
    }

    func testRecognitionPaddingIsZeroAfterNormalization() throws {
        let image = PixelImage(zerosWidth: 20, height: 10, channels: 3)
        let prepared = try PreprocessRecipe.ocrRecognition(height: 8, minWidth: 40).apply(to: image)
        let f32 = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: .ocrRecognition).scalars(as: Float.self)
        XCTAssertEqual(prepared.image.width, 40)
        XCTAssertEqual(prepared.geometry.contentWidth, 16)
        XCTAssertEqual(f32[0], -1)   // black content pixel
        XCTAssertEqual(f32[39], 0)   // padding
        let u8 = TensorPacker.makeTensor(prepared, layout: .nhwcUInt8, normalization: .ocrRecognition).scalars(as: UInt8.self)
        XCTAssertEqual(u8[0], 0)
        XCTAssertEqual(u8[39 * 3], 128)
    }
}
