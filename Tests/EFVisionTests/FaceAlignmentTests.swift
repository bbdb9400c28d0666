// Face alignment geometry on its own: a known similarity transform is recovered from its points
// to 1e-4; skimage's Umeyama estimate (NumPy port, Tests/Goldens/faces) is matched to 1e-9; the
// warp agrees with cv2.warpAffine's crop to within 2 levels; bad landmarks are refused.

import EFCore
import EFMedia
import EFTestSupport
import EFVision
import Foundation
import XCTest

final class FaceAlignmentTests: XCTestCase {
    func testAKnownSimilarityIsRecovered() throws {
        var generator = SeededGenerator(seed: 112)
        for _ in 0..<20 {
            let angle = (generator.nextUnit() * 2 - 1) * Double.pi, scale = 0.2 + 3 * generator.nextUnit()
            let (tx, ty) = (200 * generator.nextUnit() - 100, 200 * generator.nextUnit() - 100)
            let known = AffineTransform(a: scale * cos(angle), b: -scale * sin(angle), c: tx,
                                        d: scale * sin(angle), e: scale * cos(angle), f: ty)
            let source = (0..<5).map { _ in (x: 300 * generator.nextUnit(), y: 300 * generator.nextUnit()) }
            let target = source.map { known.apply(x: $0.x, y: $0.y) }
            let found = try FaceAlignment.similarity(from: source, to: target)
            for (a, b) in zip([found.a, found.b, found.c, found.d, found.e, found.f],
                              [known.a, known.b, known.c, known.d, known.e, known.f]) {
                XCTAssertEqual(a, b, accuracy: 1e-4)
            }
        }
    }

    func testUmeyamaAndTheWarpMatchInsightfacesNormCrop() throws {
        let golden = try FaceGolden.load()
        let photo = try FaceGolden.syntheticPhoto(size: golden.size, squares: golden.squares)
        for face in golden.faces where face.transform != nil {
            let points = (0..<5).map { (x: Double(face.landmarks[2 * $0]), y: Double(face.landmarks[2 * $0 + 1])) }
            let found = try FaceAlignment.similarity(from: points, to: FaceAlignment.arcFaceReference)
            for (a, b) in zip([found.a, found.b, found.c, found.d, found.e, found.f], face.transform ?? []) {
                XCTAssertEqual(a, b, accuracy: 1e-9)
            }
            let crop = try FaceAlignment.align(photo, landmarks: face.landmarks)
            let reference = try ImageDecoder.decode(contentsOf: FaceGolden.root.appendingPathComponent(face.crop ?? ""))
            XCTAssertEqual([crop.width, crop.height], [112, 112])
            let differences = zip(crop.pixels, reference.image.pixels).map { abs(Int($0) - Int($1)) }
            XCTAssertLessThanOrEqual(differences.max() ?? 99, 2, "cv2 interpolates in fixed point; we in Double")
            XCTAssertLessThan(Double(differences.reduce(0, +)) / Double(differences.count), 0.5)
        }
    }

    func testBadLandmarksAreRefused() throws {
        let photo = PixelImage(zerosWidth: 10, height: 10, channels: 3)
        XCTAssertThrowsError(try FaceAlignment.align(photo, landmarks: [1, 2, 3]))
        XCTAssertThrowsError(try FaceAlignment.align(photo, landmarks: [Float](repeating: 4, count: 10))) { error in
            XCTAssertTrue("\(error)".contains("one point"), "\(error)")
        }
        XCTAssertThrowsError(try FaceAlignment.align(photo, landmarks: [Float](repeating: .nan, count: 10)))
        let singular = AffineTransform(a: 0, b: 0, c: 1, d: 0, e: 0, f: 1)
        XCTAssertThrowsError(try FaceAlignment.warp(photo, singular, width: 4, height: 4))
    }
}
