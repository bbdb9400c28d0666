// `edgeflow compile --recipe` on a TFLite float model whose image input is channels-last
// ([1, H, W, 3] float32: MediaPipe's short-range face detector): the executable embeds the
// nhwc-f32 layout, `run --image` equals `run --input` of `edgeflow preprocess --layout nhwc-f32`
// (bit-exact), that tensor is the nchw-f32 one (checked against Pillow by RecipeGoldenTests)
// transposed, and --recipe-inside (uint8 bytes in, normalization in the model, channels kept
// last) agrees with the float path.

import EFCLI
import EFCore
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class ChannelsLastRecipeTests: XCTestCase {
    func testFaceDetectorRunsOnAPhotoThroughItsEmbeddedRecipe() throws {
        guard let model = TestData.fetchedFile("models/mediapipe/face_detection_short_range.tflite"),
              let photo = TestData.fetchedFile("images/astronaut.png") else {
            throw XCTSkip("scripts/setup.sh puts MediaPipe's face detector and the astronaut photo in .testdata")
        }
        let chain = RecipeChain(directory: try TestData.temporaryDirectory("edgeflow-cli-nhwc-recipe"))
        defer { try? FileManager.default.removeItem(at: chain.directory) }
        let recipe = ["--recipe", "squash", "--size", "128", "--mean", "0.5,0.5,0.5", "--std", "0.5,0.5,0.5"]
        try chain.succeed(["parse", model.path, "-o", "model.efa"])
        let compiled = try chain.succeed(["compile", "model.efa", "-o", "face.efx"] + recipe)
        XCTAssertTrue(compiled.stdout.contains("embedded recipe: squash 128, input nhwc-f32"), compiled.stdout)
        let shown = try chain.succeed(["inspect", "face.efx"]).stdout
        XCTAssertTrue(shown.contains("recipe: squash 128, input nhwc-f32, "), shown)
        XCTAssertTrue(shown.contains("  float32[1, 128, 128, 3]  "), shown)

        try chain.succeed(["run", "face.efx", "--image", photo.path, "--output-dir", "image"])
        try chain.succeed(["preprocess", photo.path, "-o", "nhwc.npy", "--layout", "nhwc-f32"] + recipe.dropFirst(2))
        try chain.succeed(["preprocess", photo.path, "-o", "nchw.npy"] + recipe.dropFirst(2))
        try chain.succeed(["run", "face.efx", "--input", "nhwc.npy", "--output-dir", "tensor"])
        let folder = chain.directory.appendingPathComponent("image").path
        let image = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertEqual(image.sorted(), ["classificators.npy", "regressors.npy"])
        for name in image {
            let a = try Data(contentsOf: chain.directory.appendingPathComponent("image/\(name)"))
            let b = try Data(contentsOf: chain.directory.appendingPathComponent("tensor/\(name)"))
            XCTAssertEqual(a, b, "\(name): run --image differs from run --input of preprocess --layout nhwc-f32")
        }
        let nhwc = try NPY.read(contentsOf: chain.directory.appendingPathComponent("nhwc.npy"))
        let nchw = try NPY.read(contentsOf: chain.directory.appendingPathComponent("nchw.npy"))
        XCTAssertEqual(nhwc.shape, [1, 128, 128, 3])
        XCTAssertTrue(try Kernels.transpose(nchw, perm: [0, 2, 3, 1]).isBitwiseEqual(to: nhwc))

        // --recipe-inside: uint8 [1, 128, 128, 3] bytes in, the normalization inside the model.
        try chain.succeed(["compile", "model.efa", "-o", "u8.efx", "--recipe-inside"] + recipe)
        try chain.succeed(["run", "u8.efx", "--image", photo.path, "--output-dir", "inside"])
        let inspected = try chain.succeed(["inspect", "u8.efx"]).stdout
        XCTAssertTrue(inspected.contains("  uint8[1, 128, 128, 3]  "), inspected)
        for name in image {
            let float = try NPY.read(contentsOf: chain.directory.appendingPathComponent("image/\(name)"))
            let inside = try NPY.read(contentsOf: chain.directory.appendingPathComponent("inside/\(name)"))
            let worst = zip(float.doubleValues(), inside.doubleValues()).map { abs($0 - $1) }.max() ?? 0
            let scale = float.doubleValues().map(abs).max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-3 * max(scale, 1), "\(name): recipe-inside vs the float path")
        }
    }
}
