// CalibrationSet.load on photo sets: real PNGs encoded by EFMedia and a real JPEG (a truncated
// copy of it is skipped with its reason), each sample bit-equal to what EFMedia's decoder, the
// recipe and the tensor packer make for that photo; sniffing by bytes, sorted order, the limit,
// the budget, OCR lines fitted to a fixed-width model, and the refusals (no recipe, wrong channel
// count, several inputs, a recipe of the wrong size, photos mixed with arrays, every photo damaged).

import EFCore
import EFMedia
import EFQuantize
import EFTestSupport
import Foundation
import XCTest

final class CalibrationPhotoTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try TestData.temporaryDirectory("calibration-photos")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let nchw = CalibrationInput(name: "pixel_values", dtype: .float32, shape: [1, 3, 4, 4])
    private let recipe = PreprocessRecipe.squash(width: 4, height: 4)

    /// A real JPEG: CLIP's test photo when setup fetched it, else a committed decoder fixture.
    private var jpeg: URL {
        TestData.fetchedFile("clip/franz-kafka.jpg")
            ?? TestData.goldens.appendingPathComponent("media-decode/jpeg_420.jpg")
    }

    /// Writes a 7×5 RGB PNG whose pixels depend on `seed` at `name` (sub-folders made as needed).
    @discardableResult
    private func png(_ name: String, seed: Int) throws -> URL {
        let pixels = (0..<7 * 5 * 3).map { UInt8(truncatingIfNeeded: $0 * 37 + seed * 91) }
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try PNGEncoder.encode(try PixelImage(width: 7, height: 5, channels: 3, pixels: pixels))).write(to: url)
        return url
    }

    /// The first half of the real JPEG, at `name`.
    @discardableResult
    private func truncatedJPEG(_ name: String) throws -> URL {
        let bytes = try Data(contentsOf: jpeg)
        let url = folder.appendingPathComponent(name)
        try bytes.prefix(bytes.count / 2).write(to: url)
        return url
    }

    /// What EFMedia itself makes of the photo at `url` for `layout`.
    private func expected(_ url: URL, _ layout: TensorLayout, _ recipe: PreprocessRecipe) throws -> Tensor {
        let decoded = try ImageDecoder.decode(contentsOf: url)
        let prepared = try recipe.apply(to: decoded.image)
        return TensorPacker.makeTensor(prepared, layout: layout, normalization: recipe.normalization)
    }

    private func load(_ url: URL, _ inputs: [CalibrationInput]? = nil, recipe: PreprocessRecipe?? = nil,
                      limit: Int = 64, budget: Int = 1 << 20) throws -> CalibrationSet {
        try CalibrationSet.load(from: url, inputs: inputs ?? [nchw], recipe: recipe ?? self.recipe, limit: limit,
                                budgetBytes: budget, progress: nil)
    }

    private func assertRefused(_ parts: [String], file: StaticString = #filePath, line: UInt = #line,
                               _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else {
                return XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, .invalidInput, "\(error)", file: file, line: line)
            for part in parts {
                XCTAssertTrue(error.description.contains(part), "'\(part)' missing from: \(error)",
                              file: file, line: line)
            }
        }
    }

    func testPhotoSamplesEqualEFMediaInSortedOrderSniffedByBytes() throws {
        let a = try png("a.image", seed: 1)  // a PNG without a .png name
        let b = try png("b.png", seed: 2)
        let c = try png("sub/c.png", seed: 3)
        try Data("not a photo".utf8).write(to: folder.appendingPathComponent(".hidden.jpg"))
        var progress: [[Int]] = []
        let set = try CalibrationSet.load(from: folder, inputs: [nchw], recipe: recipe, budgetBytes: 1 << 20,
                                          progress: { progress.append([$0, $1]) })
        XCTAssertEqual(set.samples.count, 3)
        for (sample, url) in zip(set.samples, [a, b, c]) {
            let tensor = try XCTUnwrap(sample["pixel_values"])
            XCTAssertTrue(tensor.isBitwiseEqual(to: try expected(url, .nchwFloat32, recipe)), url.lastPathComponent)
        }
        XCTAssertFalse(set.samples[0]["pixel_values"]?.isBitwiseEqual(to: try XCTUnwrap(set.samples[1]["pixel_values"]))
                       ?? true)
        XCTAssertTrue(set.skipped.isEmpty)
        XCTAssertEqual(progress, [[1, 3], [2, 3], [3, 3]])
        XCTAssertTrue(set.source.contains("photos, recipe squash"), set.source)
    }

    func testUInt8InputGetsTheRecipeBytesNHWC() throws {
        let bytes = CalibrationInput(name: "image", dtype: .uint8, shape: [1, 4, 4, 3])
        let url = try png("one.png", seed: 5)
        let set = try load(url, [bytes])
        let tensor = try XCTUnwrap(set.samples.first?["image"])
        XCTAssertEqual(tensor.shape, [1, 4, 4, 3])
        XCTAssertTrue(tensor.isBitwiseEqual(to: try expected(url, .nhwcUInt8, recipe)))
    }

    func testTruncatedJPEGAmongGoodPhotosIsSkippedWithItsReason() throws {
        let clip = PreprocessRecipe.clip(size: 4)
        try FileManager.default.copyItem(at: jpeg, to: folder.appendingPathComponent("a.jpg"))
        try truncatedJPEG("b.jpg")
        try Data("a caption".utf8).write(to: folder.appendingPathComponent("b.txt"))
        let last = try png("c.png", seed: 7)
        let set = try load(folder, recipe: clip)
        XCTAssertEqual(set.samples.count, 2)
        let first = try XCTUnwrap(set.samples.first?["pixel_values"])
        XCTAssertTrue(first.isBitwiseEqual(to: try expected(jpeg, .nchwFloat32, clip)))
        XCTAssertTrue(try XCTUnwrap(set.samples[1]["pixel_values"]).isBitwiseEqual(
            to: try expected(last, .nchwFloat32, clip)))
        XCTAssertEqual(set.skipped.map(\.file), ["b.jpg", "b.txt"].map { folder.appendingPathComponent($0).path })
        XCTAssertTrue(set.skipped[0].reason.hasPrefix("b.jpg: "), set.skipped[0].reason)
        XCTAssertTrue(set.skipped[0].reason.lowercased().contains("jpeg"), set.skipped[0].reason)
        XCTAssertTrue(set.skipped[1].reason.hasPrefix("b.txt: unrecognized file"), set.skipped[1].reason)
        XCTAssertTrue(set.source.contains("2 samples from 2 of 3 files, 2 skipped"), set.source)
    }

    func testEveryPhotoSkippedIsAnErrorListingTheReasons() throws {
        try truncatedJPEG("a.jpg")
        try truncatedJPEG("b.jpg")
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]
        try Data(pngSignature).write(to: folder.appendingPathComponent("c.png"))
        assertRefused(["no photo could be used (3 skipped)", "a.jpg: ", "b.jpg: ", "c.png: "]) { _ = try load(folder) }
    }

    func testPhotosNeedARecipeAndSayHowToNameOne() throws {
        try png("a.png", seed: 1)
        assertRefused(["needs a preprocessing recipe", "'pixel_values'", "preprocessing(recipe=clip, size=4)",
                       "--recipe NAME --size 4"]) { _ = try load(folder, recipe: .some(nil)) }
    }

    func testWrongChannelCountSaysWhatTheModelTakes() throws {
        try png("a.png", seed: 1)
        let gray = CalibrationInput(name: "g", dtype: .float32, shape: [1, 1, 4, 4])
        assertRefused(["the model takes 1 channel ", "decoded to 3 (RGB)", "'g' float32[1, 1, 4, 4]"]) {
            _ = try load(folder, [gray])
        }
    }

    /// A float32 [1, H, W, 3] input (a TFLite model's) takes the same normalized floats, channels last.
    func testChannelsLastFloatInputTakesTheSamplesTransposed() throws {
        let url = try png("a.png", seed: 3)
        let nhwc = CalibrationInput(name: "input_1", dtype: .float32, shape: [1, 4, 4, 3])
        let set = try load(folder, [nhwc])
        let planes = try expected(url, .nchwFloat32, recipe).scalars(as: Float.self)
        let sample = try XCTUnwrap(set.samples.first?["input_1"])
        XCTAssertEqual(sample.shape, [1, 4, 4, 3])
        let transposed = (0..<48).map { index in planes[(index % 3) * 16 + index / 3] }
        XCTAssertEqual(sample.scalars(as: Float.self), transposed)
    }

    func testPhotosFeedOnlySingleInputModels() throws {
        try png("a.png", seed: 1)
        let other = CalibrationInput(name: "mask", dtype: .float32, shape: [1, 4])
        assertRefused(["single-input model", "'pixel_values', 'mask'"]) { _ = try load(folder, [nchw, other]) }
        let ids = CalibrationInput(name: "ids", dtype: .int64, shape: [1, 77])
        assertRefused(["photos cannot feed input 'ids' int64[1, 77]"]) { _ = try load(folder, [ids]) }
    }

    func testARecipeOfAnotherSizeIsAnError() throws {
        try png("a.png", seed: 1)
        let clip6 = PreprocessRecipe.clip(size: 6)
        assertRefused(["a.png", "recipe clip made float32[1, 3, 6, 6]",
                       "input 'pixel_values' takes float32[1, 3, 4, 4]", "preprocessing(recipe=clip, size=4)"]) {
            _ = try load(folder, recipe: clip6)
        }
    }

    func testOCRLinesTakeTheWidthOfAFixedWidthModel() throws {
        // The 7×5 photo is a 5-high line of ratio 1.4: ocr-rec at height 10 makes it 14 wide on its own.
        let url = try png("line.png", seed: 4)
        let ocr = PreprocessRecipe.ocrRecognition(height: 10, minWidth: 4)
        for width in [8, 20] {  // squeezed into 8, padded to 20
            let input = CalibrationInput(name: "x", dtype: .float32, shape: [1, 3, 10, width])
            let tensor = try XCTUnwrap(try load(url, [input], recipe: ocr).samples.first?["x"])
            let fixed = PreprocessRecipe.ocrRecognition(height: 10, minWidth: width, maxWidth: width)
            XCTAssertEqual(tensor.shape, [1, 3, 10, width])
            XCTAssertTrue(tensor.isBitwiseEqual(to: try expected(url, .nchwFloat32, fixed)), "width \(width)")
        }
        let taller = CalibrationInput(name: "x", dtype: .float32, shape: [1, 3, 12, 8])
        assertRefused(["recipe ocr-rec made float32[1, 3, 10, 14]", "takes float32[1, 3, 12, 8]",
                       "without --size take the model's own size"]) { _ = try load(url, [taller], recipe: ocr) }
    }

    func testPhotosMixedWithArraysAreRefused() throws {
        try png("a.png", seed: 1)
        try NPY.encode(Tensor(zeros: .float32, shape: [1, 3, 4, 4])).write(to: folder.appendingPathComponent("b.npy"))
        assertRefused(["mixes photos", "a.png", "b.npy", "separate folders"]) { _ = try load(folder) }
    }

    func testLimitBudgetAndASinglePhoto() throws {
        let first = try png("a.png", seed: 1)
        try png("b.png", seed: 2)
        try png("c.png", seed: 3)
        XCTAssertEqual(try load(folder, limit: 2).samples.count, 2)
        // One sample is 3 × 4 × 4 float32 = 192 bytes.
        assertRefused(["a.png", "1 calibration sample of 192 bytes", "budget of 100 bytes"]) {
            _ = try load(folder, budget: 100)
        }
        assertRefused(["c.png", "3 calibration samples", "budget of 500 bytes"]) { _ = try load(folder, budget: 500) }
        let single = try load(first)
        XCTAssertEqual(single.samples.count, 1)
        XCTAssertTrue(try XCTUnwrap(single.samples[0]["pixel_values"]).isBitwiseEqual(
            to: try expected(first, .nchwFloat32, recipe)))
    }
}
