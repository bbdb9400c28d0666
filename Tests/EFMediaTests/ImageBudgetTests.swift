// The image memory budget: refusals computed from headers and recipe geometry before anything
// large is allocated (the 13,000 × 13,000 PNG through ocr-det), checked arithmetic on absurd
// recipe sizes, bounded file reads, and the normalization checks of the throwing packer.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class ImageBudgetTests: XCTestCase {
    private func assertInvalidInput(_ body: @autoclosure () throws -> Any, contains parts: [String],
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let error = error as? EdgeflowError
            XCTAssertEqual(error?.kind, .invalidInput, "\(String(describing: error))", file: file, line: line)
            for part in parts {
                XCTAssertTrue(error?.description.contains(part) == true, "\(String(describing: error)) lacks \(part)",
                              file: file, line: line)
            }
        }
    }

    func testBudgetIsTwelveBytesPerPixelPlus64MiBUpToTheCeiling() {
        XCTAssertEqual(DecodeOptions().memoryBudget.limitBytes, 12 * 178_956_970 + (64 << 20))
        XCTAssertEqual(DecodeOptions(maxPixels: 1000).memoryBudget.limitBytes, 12_000 + (64 << 20))
        XCTAssertEqual(DecodeOptions(maxPixels: Int.max).memoryBudget.limitBytes, (12 << 30) + (64 << 20))
        XCTAssertEqual(DecodeOptions(maxPixels: Int.max).effectiveMaxPixels, 1 << 30)
    }

    /// A 0.5 MB PNG of 13,000 × 13,000 (under the pixel limit) decoded for ocr-det: the recipe
    /// would need gigabytes, so the decoder refuses from the header, before any pixel exists.
    func testHugePNGForOCRDetectionIsRefusedFromTheHeader() throws {
        let png = BombFiles.blackPNG(width: 13_000, height: 13_000)
        XCTAssertLessThan(png.count, 1 << 20)
        let recipe = PreprocessRecipe.ocrDetection()
        let use = PlannedImageUse(what: "recipe ocr-det") { w, h in try recipe.memoryNeed(width: w, height: h,
                                                                                          layout: .nchwFloat32) }
        let start = Date()
        assertInvalidInput(try ImageDecoder.decode(bytes: png, options: DecodeOptions(plannedUse: use)),
                           contains: ["13000×13000", "ocr-det", "budget of 2.1 GiB", "--max-pixels"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "refused from the header, not after decoding")
    }

    func testRecipePlansComputeTheirBuffersFromTheGeometry() throws {
        let plan = try PreprocessRecipe.ocrDetection().plan(width: 13_000, height: 13_000)
        XCTAssertEqual([plan.resizeWidth, plan.resizeHeight], [12_992, 12_992])
        // The Int32 horizontal pass alone is 13000 × 12992 × 3 × 4 bytes.
        XCTAssertGreaterThan(try plan.workingBytes(channels: 3), 13_000 * 12_992 * 12)
        XCTAssertEqual(try plan.tensorBytes(layout: .nchwFloat32, channels: 3), 12_992 * 12_992 * 12)
        let clip = try PreprocessRecipe.clip().plan(width: 13_000, height: 13_000)
        XCTAssertLessThan(try clip.workingBytes(channels: 3), 100 << 20, "clip resizes only the crop window")
    }

    func testAbsurdSizesAndAspectRatiosAreErrorsNotTraps() {
        XCTAssertThrowsError(try PreprocessRecipe.clip(size: Int.max).plan(width: 10, height: 3))
        XCTAssertThrowsError(try PreprocessRecipe.squash(width: Int.max, height: Int.max).plan(width: 4, height: 4))
        assertInvalidInput(try PreprocessRecipe.clip().plan(width: 1_000_000, height: 1), contains: ["1000000×1"])
        assertInvalidInput(try PreprocessRecipe.ocrRecognition().plan(width: 1 << 30, height: 1), contains: ["ocr-rec"])
        assertInvalidInput(try PreprocessRecipe.ocrDetection(limitSide: 8192).plan(width: 1, height: 1 << 20),
                           contains: ["ocr-det"])
        XCTAssertThrowsError(try PreprocessRecipe.letterbox(width: 0, height: 640).plan(width: 5, height: 5)) {
            XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidArgument)
        }
    }

    func testApplyAndResizeCheckTheBudgetBeforeAllocating() throws {
        let image = PixelImage(zerosWidth: 40, height: 30, channels: 3)
        let small = MemoryBudget(limitBytes: 5000, name: "image memory", howToChange: "use a smaller --size")
        assertInvalidInput(try PreprocessRecipe.ocrDetection().apply(to: image, budget: small),
                           contains: ["ocr-det", "40×30", "smaller --size"])
        assertInvalidInput(try Resampler.resize(image, width: 400, height: 300, filter: .bicubic, budget: small),
                           contains: ["400×300"])
        let prepared = try PreprocessRecipe.clip(size: 32).apply(to: image)
        assertInvalidInput(try TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: .clip,
                                                       budget: MemoryBudget(limitBytes: 4096, name: "image memory",
                                                                            howToChange: "")), contains: ["32×32"])
        XCTAssertEqual(try TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: .clip,
                                                   budget: .image()).shape, [1, 3, 32, 32])
    }

    func testBadNormalizationIsRefusedOrHarmless() throws {
        let prepared = try PreprocessRecipe.ocrRecognition(height: 8, minWidth: 16)
            .apply(to: PixelImage(zerosWidth: 4, height: 4, channels: 3))
        for normalization in [Normalization(mean: [], std: [1]), Normalization(mean: [.nan], std: [1]),
                              Normalization(mean: [0.5], std: [0]), Normalization(mean: [0.5], std: [.infinity])] {
            XCTAssertThrowsError(try TensorPacker.makeTensor(prepared, layout: .nhwcUInt8, normalization: normalization,
                                                             budget: .image())) {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidArgument)
            }
            // The non-throwing packer does not trap on them either.
            _ = TensorPacker.makeTensor(prepared, layout: .nhwcUInt8, normalization: normalization)
        }
    }

    func testImageFilesAreReadWithALimit() throws {
        let options = DecodeOptions(maxPixels: 1000)  // files up to 3000 bytes + 1 MiB
        XCTAssertEqual(ImageDecoder.maxFileBytes(options), 3000 + (1 << 20))
        assertInvalidInput(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/dev/zero"), options: options),
                           contains: ["larger than 1.0 MiB"])
    }

    func testPixelLimitAboveTheCeilingActsAsTheCeiling() {
        let png = BombFiles.blackPNG(width: 40_000, height: 30_000, rows: false)  // 1.2 gigapixels > 2^30
        assertInvalidInput(try ImageDecoder.decode(bytes: png, options: DecodeOptions(maxPixels: Int.max)),
                           contains: ["40000×30000", "1073741824"])
    }
}
