// The text-line direction classifier against RapidOCR's: Tests/Goldens/ocr_direction/golden.json
// holds what Immich's OCR pipeline with RapidOCR 3.10.0's classifier before the recognizer
// (tools/goldens/make_ocr_direction_goldens.py) reads in page.png and the rendered Immich-golden
// image, each turned half a circle: the boxes, each crop's direction and score, the text read
// with the classifier and without it. A models folder in Immich's layout plus
// classification/model.onnx; the reader compiles all three models. Release tier (model-sized).
//
// Tolerances as ImmichOCRGoldenTests (boxes identical, texts equal) and the classifier's score
// within 0.01 of onnxruntime's (a softmax of two; measured below).

import EFCLI
import EFCore
import EFMedia
import EFTestSupport
import EFVision
import Foundation
import XCTest

private struct DirectionGolden: Decodable {
    struct Line: Decodable {
        var box: [[Double]]
        var direction: String
        var direction_score: Float
        var text: String
        var text_without_classifier: String
    }

    struct Image: Decodable {
        var image: String
        var image_sha256: String
        var turn: Int
        var lines: [Line]
    }

    var detection_sha256: String
    var recognition_sha256: String
    var classifier_sha256: String
    var threshold: Float
    var max_resolution: Int
    var box_min_score: Float
    var images: [Image]
}

final class OCRDirectionGoldenTests: XCTestCase {
    private var root: URL!

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// Models roots holding PP-OCRv5_mobile with the classifier (`with`) and without it.
    private func readers(_ golden: DirectionGolden) throws -> (with: TextReader, without: TextReader) {
        guard TestData.isOptimizedBuild else {
            throw XCTSkip("PP-OCRv5 and the classifier on two photos: release tier")
        }
        guard let models = TestData.fetchedFile("immich-models/PP-OCRv5_mobile"),
              let classifier = TestData.fetchedFile("models/ppocrv4/cls.onnx") else {
            throw XCTSkip("scripts/setup.sh fetches PP-OCRv5_mobile and PP-OCR's cls.onnx; it has not run")
        }
        root = try TestData.temporaryDirectory("ocr-direction")
        let files = [("detection", models.appendingPathComponent("detection/model.onnx"), golden.detection_sha256),
                     ("recognition", models.appendingPathComponent("recognition/model.onnx"),
                      golden.recognition_sha256)]
        let without = try OCRFolderLinks.folders(at: root.appendingPathComponent("plain"), files)
            .textReader("PP-OCRv5_mobile", resolution: golden.max_resolution)
        let with = try OCRFolderLinks.folders(at: root.appendingPathComponent("cls"),
                                              files + [("classification", classifier, golden.classifier_sha256)])
            .textReader("PP-OCRv5_mobile", resolution: golden.max_resolution)
        return (with, without)
    }

    func testUpsideDownLinesAreTurnedAndReadAsRapidOCRReadsThem() throws {
        let url = TestData.goldens.appendingPathComponent("ocr_direction/golden.json")
        let golden = try JSONDecoder().decode(DirectionGolden.self, from: Data(contentsOf: url))
        let (with, without) = try readers(golden)
        XCTAssertNotNil(with.direction)
        XCTAssertNil(without.direction)
        var worstScore: Float = 0, turned = 0
        for entry in golden.images {
            let file = TestData.repoRoot.appendingPathComponent(entry.image)
            XCTAssertEqual(try SHA256.hex(ofFileAt: file), entry.image_sha256)
            XCTAssertEqual(entry.turn, 180)
            let image = try ImageDecoder.decode(bytes: [UInt8](try Data(contentsOf: file))).image.rotatedHalfTurn()
            let lines = try with.readAll(image, minBoxScore: golden.box_min_score)
            let plain = try without.readAll(image, minBoxScore: golden.box_min_score)
            XCTAssertEqual(lines.count, entry.lines.count, entry.image)
            XCTAssertEqual(plain.count, entry.lines.count, entry.image)
            for (k, expected) in entry.lines.enumerated() where k < min(lines.count, plain.count) {
                let line = lines[k]
                XCTAssertEqual(line.corners.map { [$0.x, $0.y] }, expected.box, "\(entry.image) line \(k)")
                let turn = expected.direction == "180" && expected.direction_score > golden.threshold
                XCTAssertEqual(line.upsideDown, turn,
                               "\(entry.image) line \(k): \(expected.direction) \(expected.direction_score)")
                XCTAssertEqual(line.text, expected.text, "\(entry.image) line \(k)")
                XCTAssertEqual(plain[k].text, expected.text_without_classifier, "\(entry.image) line \(k)")
                turned += line.upsideDown ? 1 : 0
            }
            let directions = try XCTUnwrap(with.direction).classify(try lines.map {
                try PerspectiveCrop.crop(image, corners: $0.corners)
            })
            for (found, expected) in zip(directions, entry.lines) {
                XCTAssertEqual(found.says180, expected.direction == "180")
                worstScore = max(worstScore, abs(found.score - expected.direction_score))
            }
        }
        print("ocr-direction golden: \(turned) lines turned; worst classifier score difference \(worstScore)")
        XCTAssertEqual(turned, 12, "the golden turns 4 lines of page.png and all 8 of the rendered image")
        XCTAssertLessThanOrEqual(worstScore, 0.01)
    }
}
