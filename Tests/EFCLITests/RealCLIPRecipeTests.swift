// The recipe chain of RecipeCompileTests on one real CLIP image tower, TinyCLIP ViT-39M/16
// (the smallest real CLIP vision model in .testdata, 224×224): parse, compile --recipe clip,
// run --image against run --input of `edgeflow preprocess`, --recipe-inside against the
// float path, inspect, and a --size that does not fit. Optimized builds only: in debug the
// chain (one parse, two compiles, four 224px runs) took 83 s on 2 Zen 3 cores, over the
// ~60 s a debug test may take.

import EFCLI
import EFTestSupport
import Foundation
import XCTest

final class RealCLIPRecipeTests: XCTestCase {
    func testTinyCLIPVisionRecipeChain() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild,
            "model-sized test: runs in the optimized build (scripts/test.sh), too slow in debug")
        let model = "models/generated/tinyclip-vit-39m16-vision.onnx"
        guard let onnx = TestData.fetchedFile(model), let photo = TestData.fetchedFile("clip/CLIP.png") else {
            throw XCTSkip(".testdata/\(model) or .testdata/clip/CLIP.png is missing: run scripts/setup.sh")
        }
        let chain = RecipeChain(directory: try TestData.temporaryDirectory("edgeflow-cli-tinyclip"))
        defer { try? FileManager.default.removeItem(at: chain.directory) }
        let start = Date()
        try chain.parse(onnx)
        try chain.checkWrongSize(300, modelSize: 224)
        try chain.checkRecipePaths(size: 224, photo: photo)
        let embedding = try chain.output("image")
        XCTAssertEqual(embedding.shape, [1, 512])
        print(String(format: "TinyCLIP recipe chain: %.1f s", Date().timeIntervalSince(start)))
    }
}
