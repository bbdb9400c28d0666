// SCRFD detection and ArcFace recognition through compiled executables of the generated
// buffalo_l-shaped models, against insightface's decoding, NMS and norm_crop in NumPy with
// onnxruntime (Tests/Goldens/faces); models of the wrong shape are refused.

import EFCore
import EFMedia
import EFONNX
import EFTestSupport
import EFVision
import EdgeflowRuntime
import Foundation
import XCTest

final class FaceModelTests: XCTestCase {
    /// The golden and its two models compiled (the detector for the golden's square input).
    private func models() throws -> (FaceGolden, FaceDetector, FaceRecognizer) {
        let golden = try FaceGolden.load()
        guard let detection = TestData.fetchedFile("immich-models/buffalo_l/detection/model.onnx"),
              let recognition = TestData.fetchedFile("immich-models/buffalo_l/recognition/model.onnx") else {
            throw XCTSkip("scripts/setup.sh generates .testdata/immich-models/buffalo_l; it has not run")
        }
        for (url, sha) in [(detection, golden.detector_sha256), (recognition, golden.recognizer_sha256)] {
            let digest = try SHA256.hex(ofFileAt: url)
            XCTAssertEqual(digest, sha, "\(url.path) differs from the golden's model: run make_face_goldens.py")
        }
        let side = golden.size
        let detector = try ExecutableRoundTrip.load(ONNXImporter.importModel(
            at: detection, options: ImportOptions(inputShapes: ["input.1": [1, 3, side, side]])))
        let recognizer = try ExecutableRoundTrip.load(ONNXImporter.importModel(at: recognition))
        return (golden, try FaceDetector(model: detector), try FaceRecognizer(model: recognizer))
    }

    func testDetectionEqualsInsightfacesDecodingAndNMS() throws {
        let (golden, detector, _) = try models()
        let photo = try FaceGolden.syntheticPhoto(size: golden.size, squares: golden.squares)
        let faces = try detector.detect(photo, minScore: golden.min_score)
        XCTAssertEqual(faces.count, golden.faces.count)
        for (face, expected) in zip(faces, golden.faces) {
            XCTAssertEqual(face.score, expected.score, accuracy: 1e-4)
            for (a, b) in zip(face.box + (face.landmarks ?? []), expected.box + expected.landmarks) {
                XCTAssertEqual(a, b, accuracy: 2e-3)
            }
        }
    }

    func testRecognitionEqualsArcFaceOnTheAlignedCrop() throws {
        let (golden, _, recognizer) = try models()
        let photo = try FaceGolden.syntheticPhoto(size: golden.size, squares: golden.squares)
        for face in golden.faces {
            guard let expected = face.embedding, let crop = face.crop else { continue }
            let reference = try ImageDecoder.decode(contentsOf: FaceGolden.root.appendingPathComponent(crop)).image
            let same = try recognizer.embed(aligned: reference)
            XCTAssertEqual(same.count, 512)
            XCTAssertLessThan(zip(same, expected).map { abs($0 - $1) }.max() ?? 1, 1e-4, "the same crop")
            let ours = try recognizer.embed(photo, landmarks: face.landmarks)
            XCTAssertGreaterThan(cosine(ours, expected), 0.999, "our crop differs from cv2's by rounding only")
        }
    }

    func testModelsOfTheWrongShapeAreRefused() throws {
        let (_, detector, recognizer) = try models()
        XCTAssertThrowsError(try FaceDetector(model: recognizer.model)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
        }
        XCTAssertThrowsError(try FaceRecognizer(model: detector.model)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
        }
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }, nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        return dot / (na * nb).squareRoot()
    }
}
