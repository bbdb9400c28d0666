// `run --image` on a text-recognition executable of fixed width compiled with `--recipe ocr-rec`:
// every line becomes exactly the model's width (a long line squeezed into it, a short one padded),
// bit-equal to EFMedia's ocr-rec fitted to that width, instead of a shape error for long lines.

import EFCore
import EFIR
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class OCRLineRecipeTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("ocr-line-recipe")
        // A recognition-shaped pass-through model: x float32[1, 3, 8, 20] is the output.
        let graph = Graph(name: "rec-line", inputs: ["x"], outputs: ["x"],
                          types: ["x": TensorType(.float32, [1, 3, 8, 20])])
        try CLIFixtures.writeArchive(graph, named: "rec.efa", in: directory)
        let compiled = try CLIRunner.run(["compile", "rec.efa", "-o", "rec.efx", "--recipe", "ocr-rec", "--size", "8"],
                                         in: directory)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A `width` × `height` PNG line whose pixels depend on their position.
    private func line(_ name: String, width: Int, height: Int) throws -> URL {
        let pixels = (0..<width * height * 3).map { UInt8(truncatingIfNeeded: $0 * 29 + 11) }
        let url = directory.appendingPathComponent(name)
        try Data(try PNGEncoder.encode(try PixelImage(width: width, height: height, channels: 3, pixels: pixels)))
            .write(to: url)
        return url
    }

    func testLongAndShortLinesTakeTheModelWidth() throws {
        let fixed = PreprocessRecipe.ocrRecognition(height: 8, minWidth: 20, maxWidth: 20)
        // 60 × 6 would be 80 wide at height 8; 6 × 6 is 8 wide, padded.
        for (name, width) in [("long.png", 60), ("short.png", 6)] {
            let url = try line(name, width: width, height: 6)
            let ran = try CLIRunner.run(["run", "rec.efx", "--image", url.path, "--output-dir", name + ".out"],
                                        in: directory)
            XCTAssertEqual(ran.status, 0, ran.stderr)
            let out = try NPY.read(contentsOf: directory.appendingPathComponent(name + ".out/x.npy"))
            let prepared = try fixed.apply(to: try ImageDecoder.decode(contentsOf: url).image)
            let expected = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: .ocrRecognition)
            XCTAssertEqual(out.shape, [1, 3, 8, 20], name)
            XCTAssertTrue(out.isBitwiseEqual(to: expected), name)
        }
    }
}
