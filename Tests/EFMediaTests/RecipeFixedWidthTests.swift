// ocr-rec for a recognition model of fixed width (PaddleOCR's resize_norm_img with a fixed imgW):
// `fitted(toHeight:width:)` makes every line exactly the model's width, a narrow line padded on the
// right and a long one squeezed into it, while the plain recipe still follows the line's ratio.

import EFMedia
import XCTest

final class RecipeFixedWidthTests: XCTestCase {
    private let fixed = PreprocessRecipe.ocrRecognition().fitted(toHeight: 48, width: 320)

    func testFittedOCRRecognitionHasTheModelWidth() {
        XCTAssertEqual(fixed.kind, .ocrRecognition(height: 48, minWidth: 320, maxWidth: 320))
        XCTAssertEqual(fixed.name, "ocr-rec")
        XCTAssertEqual(fixed.normalization, .ocrRecognition)
        XCTAssertTrue(fixed.geometrySteps.joined().contains("min(320, "), "\(fixed.geometrySteps)")
    }

    func testLongLineIsSqueezedIntoTheModelWidth() throws {
        // 846 × 48: ratio 17.6, which the plain recipe keeps (846 wide).
        let plain = try PreprocessRecipe.ocrRecognition().plan(width: 846, height: 48)
        XCTAssertEqual([plain.outputWidth, plain.resizeWidth], [846, 846])
        let plan = try fixed.plan(width: 846, height: 48)
        XCTAssertEqual([plan.outputWidth, plan.outputHeight, plan.resizeWidth, plan.resizeHeight], [320, 48, 320, 48])
    }

    func testShortLineIsPaddedToTheModelWidth() throws {
        // 180 × 48 stays 180 wide, padded to 320: the same as the plain recipe with minWidth 320.
        let plan = try fixed.plan(width: 180, height: 48)
        let plain = try PreprocessRecipe.ocrRecognition().plan(width: 180, height: 48)
        XCTAssertEqual([plan.outputWidth, plan.resizeWidth], [320, 180])
        XCTAssertEqual([plain.outputWidth, plain.resizeWidth], [320, 180])
        // A 100 × 20 line is scaled to height 48 first: ceil(48 · 5) = 240 wide.
        XCTAssertEqual(try fixed.plan(width: 100, height: 20).resizeWidth, 240)
    }

    func testPreparedLineIsExactlyTheModelWidth() throws {
        let line = PixelImage(zerosWidth: 400, height: 10, channels: 3)
        let recipe = PreprocessRecipe.ocrRecognition(height: 8, minWidth: 4).fitted(toHeight: 8, width: 40)
        let prepared = try recipe.apply(to: line)
        XCTAssertEqual([prepared.image.width, prepared.image.height], [40, 8])
        XCTAssertEqual(prepared.geometry.contentWidth, 40)
        let tensor = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: .ocrRecognition)
        XCTAssertEqual(tensor.shape, [1, 3, 8, 40])
    }

    func testOtherRecipesAndOtherHeightsAreUnchanged() throws {
        let others: [PreprocessRecipe] = [.clip(size: 224), .squash(width: 32, height: 48), .letterbox(),
                                          .ocrDetection(), .ocrRecognition(height: 32)]
        for recipe in others {
            XCTAssertEqual(recipe.fitted(toHeight: 48, width: 320), recipe, recipe.name)
        }
    }
}
