// `edgeflow compile --recipe` on CLIP image towers parsed from ONNX with `edgeflow parse`:
// `run --image` equals `run --input` of the tensor `edgeflow preprocess` makes (bit-exact),
// `--recipe-inside` (uint8 NHWC in, normalization folded into the model) agrees with the
// float path, inspect shows the recipe, and recipe mistakes fail with exit 64 and a hint.
// The committed small generated tower (32×32) runs in every build; the real TinyCLIP tower
// only in the optimized build (see RealCLIPRecipeTests).

import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

/// Runs the parse → compile → run chain in one temporary directory.
struct RecipeChain {
    var directory: URL

    @discardableResult
    func succeed(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let result = try CLIRunner.run(arguments, in: directory)
        XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)", file: file, line: line)
        return result
    }

    /// Parses `onnx` into model.efa (the source of every compile).
    func parse(_ onnx: URL) throws {
        try succeed(["parse", onnx.path, "-o", "model.efa"])
    }

    /// The one file `run` wrote into `dir`.
    func outputFile(_ dir: String) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(dir).path)
        XCTAssertEqual(names.count, 1, "\(dir): \(names)")
        let name = try XCTUnwrap(names.first, "\(dir) is empty")
        return directory.appendingPathComponent(dir).appendingPathComponent(name)
    }

    func output(_ dir: String) throws -> Tensor { try NPY.read(contentsOf: try outputFile(dir)) }

    func bytes(_ dir: String) throws -> Data { try Data(contentsOf: try outputFile(dir)) }

    /// The recipe paths on a model whose input is `size`×`size` (224, clip's default, is not given).
    func checkRecipePaths(size: Int, photo: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let sizeArgs = ["--recipe", "clip"] + (size == 224 ? [] : ["--size", String(size)])
        let shown = size == 224 ? "clip" : "clip \(size)"
        let compiled = try succeed(["compile", "model.efa", "-o", "f32.efx"] + sizeArgs)
        XCTAssertTrue(compiled.stdout.contains("embedded recipe: \(shown), input nchw-f32"), compiled.stdout,
                      file: file, line: line)
        try succeed(["run", "f32.efx", "--image", photo.path, "--output-dir", "image"])
        try succeed(["preprocess", photo.path, "-o", "x.npy"] + sizeArgs)
        try succeed(["run", "f32.efx", "--input", "x.npy", "--output-dir", "tensor"])
        XCTAssertEqual(try bytes("image"), try bytes("tensor"), "run --image differs from run --input of preprocess",
                       file: file, line: line)

        try succeed(["compile", "model.efa", "-o", "u8.efx", "--recipe-inside"] + sizeArgs)
        try succeed(["run", "u8.efx", "--image", photo.path, "--output-dir", "inside"])
        let float = try output("image"), inside = try output("inside")
        XCTAssertEqual(float.shape, inside.shape, file: file, line: line)
        let cosine = cosineSimilarity(float, inside), worst = maxAbsDifference(float, inside)
        let scale = float.doubleValues().map(abs).max() ?? 0
        print("recipe-inside vs float path at \(size)px: cosine \(cosine), max abs diff \(worst) (max |y| \(scale))")
        XCTAssertGreaterThan(cosine, 0.9999, file: file, line: line)
        XCTAssertLessThanOrEqual(worst, 1e-3 * max(scale, 1), file: file, line: line)

        // The uint8 input is the resized bytes the float path normalizes.
        try succeed(["preprocess", photo.path, "-o", "u8.npy", "--layout", "nhwc-u8"] + sizeArgs)
        try succeed(["run", "u8.efx", "--input", "u8.npy", "--output-dir", "inside-tensor"])
        XCTAssertEqual(try bytes("inside"), try bytes("inside-tensor"), file: file, line: line)

        for (name, layout, dtype, shape) in [("f32.efx", "nchw-f32", "float32", "[1, 3, \(size), \(size)]"),
                                             ("u8.efx", "nhwc-u8", "uint8", "[1, \(size), \(size), 3]")] {
            let text = try succeed(["inspect", name]).stdout
            XCTAssertTrue(text.contains("recipe: \(shown), input \(layout), "), text, file: file, line: line)
            XCTAssertTrue(text.contains("  \(dtype)\(shape)  "), text, file: file, line: line)
            XCTAssertTrue(text.contains("recipe=clip"), text, file: file, line: line)
        }
        let report = try succeed(["inspect", "u8.efx", "--json"]).stdout
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        let recipe = try XCTUnwrap(object["recipe"] as? [String: Any], report)
        XCTAssertEqual(recipe["normalizationInside"] as? Bool, true, file: file, line: line)
        XCTAssertEqual(recipe["name"] as? String, "clip", file: file, line: line)
        XCTAssertEqual(recipe["tensorLayout"] as? String, "nhwc-u8", file: file, line: line)
    }

    /// A --size that does not fit the model: exit 64 and the size that does.
    func checkWrongSize(_ wrong: Int, modelSize: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CLIRunner.run(["compile", "model.efa", "-o", "bad.efx", "--recipe", "clip",
                                        "--size", String(wrong)], in: directory)
        XCTAssertEqual(result.status, EdgeflowExitCode.usage, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("--recipe clip makes \(wrong)×\(wrong) images"), result.stderr,
                      file: file, line: line)
        XCTAssertTrue(result.stderr.contains("hint: give --size \(modelSize)"), result.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.efx").path),
                       file: file, line: line)
    }
}

/// cos(a, b) over all elements, in Double.
func cosineSimilarity(_ a: Tensor, _ b: Tensor) -> Double {
    let x = a.doubleValues(), y = b.doubleValues()
    let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    let norms = (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
    return norms == 0 ? 0 : dot / norms
}

final class RecipeCompileTests: XCTestCase {
    private var chain: RecipeChain!

    override func setUpWithError() throws {
        chain = RecipeChain(directory: try TestData.temporaryDirectory("edgeflow-cli-recipe"))
        // The committed generated CLIP ViT-B/32-style tower: 32×32 input, 2 layers, random weights.
        try chain.parse(TestData.repoRoot.appendingPathComponent("Tests/Goldens/models/clip-vit-b32-vision-small.onnx"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: chain.directory) }

    private var photo: URL {
        get throws { try XCTUnwrap(TestData.fetchedFile("clip/CLIP.png"), "run scripts/setup.sh for .testdata/clip") }
    }

    func testImageAndTensorPathsAgreeOnTheSmallTower() throws {
        try chain.checkRecipePaths(size: 32, photo: try photo)
    }

    func testRecipeMistakesFailWithAHint() throws {
        try chain.checkWrongSize(300, modelSize: 32)
        // Without --size the clip recipe makes 224×224, which a 32×32 model cannot take.
        let unsized = try CLIRunner.run(["compile", "model.efa", "-o", "bad.efx", "--recipe", "clip"],
                                        in: chain.directory)
        XCTAssertEqual(unsized.status, EdgeflowExitCode.usage, unsized.stderr)
        XCTAssertTrue(unsized.stderr.contains("hint: give --size 32"), unsized.stderr)

        let options = try CLIRunner.run(["compile", "model.efa", "-o", "bad.efx", "--size", "32"], in: chain.directory)
        XCTAssertEqual(options.status, EdgeflowExitCode.usage, options.stderr)
        XCTAssertTrue(options.stderr.contains("need --recipe"), options.stderr)

        let unknown = try CLIRunner.run(["compile", "model.efa", "-o", "bad.efx", "--recipe", "nope"],
                                        in: chain.directory)
        XCTAssertEqual(unknown.status, EdgeflowExitCode.usage, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("nope"), unknown.stderr)
    }

    func testOCRDetectionRecipeOnAnImageTowerFailsClearly() throws {
        // ocr-det sizes depend on the photo; whichever step refuses, it must say why and write nothing.
        let compiled = try CLIRunner.run(["compile", "model.efa", "-o", "det.efx", "--recipe", "ocr-det"],
                                         in: chain.directory)
        if compiled.status == 0 {
            let ran = try CLIRunner.run(["run", "det.efx", "--image", try photo.path, "--output-dir", "out"],
                                        in: chain.directory)
            XCTAssertNotEqual(ran.status, 0, ran.stdout)
            XCTAssertTrue(ran.stderr.contains("recipe ocr-det made float32["), ran.stderr)
            XCTAssertTrue(ran.stderr.contains("but input 'pixel_values' is float32[1, 3, 32, 32]"), ran.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: chain.directory.appendingPathComponent("out").path))
        } else {
            XCTAssertEqual(compiled.status, EdgeflowExitCode.usage, compiled.stderr)
            XCTAssertTrue(compiled.stderr.contains("ocr-det"), compiled.stderr)
        }
    }

    func testRunImageWithoutAnEmbeddedRecipeIsAUsageError() throws {
        try chain.succeed(["compile", "model.efa", "-o", "plain.efx"])
        let result = try CLIRunner.run(["run", "plain.efx", "--image", try photo.path, "--output-dir", "out"],
                                       in: chain.directory)
        XCTAssertEqual(result.status, EdgeflowExitCode.usage, result.stderr)
        XCTAssertTrue(result.stderr.contains("embeds no preprocessing recipe"), result.stderr)
        XCTAssertTrue(result.stderr.contains("hint: give the input tensor as --input NAME=FILE.npy"), result.stderr)
        XCTAssertTrue(result.stderr.contains("or compile with --recipe"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: chain.directory.appendingPathComponent("out").path))
        let text = try chain.succeed(["inspect", "plain.efx"]).stdout
        XCTAssertTrue(text.contains("recipe: none"), text)
    }
}
