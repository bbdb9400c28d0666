// The geometry under Immich-style OCR: smallest rotated rectangles (known rectangles drawn as
// pixels must come back with their angle and sides), PP-OCR's corner order, the perspective map
// (corners must land on corners), rectifying crops (an axis-aligned box is an exact window; a
// tall box is turned a quarter counter-clockwise) and its refusals.

import EFCore
import EFMedia
import EFVision
import Foundation
import XCTest

final class TextGeometryTests: XCTestCase {
    /// The pixel centres inside a rectangle centred at (cx, cy), `length × thickness`, turned by `degrees`.
    private func rotatedPixels(cx: Double, cy: Double, length: Double, thickness: Double,
                               degrees: Double) -> [TextPoint] {
        let a = degrees * .pi / 180
        var points: [TextPoint] = []
        for y in 0..<200 {
            for x in 0..<200 {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let u = dx * cos(a) + dy * sin(a), v = -dx * sin(a) + dy * cos(a)
                if abs(u) <= length / 2 && abs(v) <= thickness / 2 {
                    points.append(TextPoint(x: Double(x), y: Double(y)))
                }
            }
        }
        return points
    }

    func testMinAreaRectRecoversATurnedRectangle() {
        let pixels = rotatedPixels(cx: 100, cy: 100, length: 120, thickness: 24, degrees: 20)
        let (corners, short) = MinAreaRect.rectangle(of: pixels)
        let long = max(corners[0].distance(to: corners[1]), corners[1].distance(to: corners[2]))
        XCTAssertEqual(long, 120, accuracy: 2)
        XCTAssertEqual(short, 24, accuracy: 2)
        let angle = atan2(corners[1].y - corners[0].y, corners[1].x - corners[0].x) * 180 / .pi
        XCTAssertEqual(angle, 20, accuracy: 1.5)
        // TL is the upper of the two leftmost corners; BR the lower of the two rightmost.
        XCTAssertLessThan(corners[0].x, corners[2].x)
        XCTAssertLessThan(corners[0].y, corners[3].y)
    }

    func testMarginGrowsEverySide() {
        let square = [TextPoint(x: 10, y: 10), TextPoint(x: 30, y: 10), TextPoint(x: 30, y: 20),
                      TextPoint(x: 10, y: 20)]
        let (corners, short) = MinAreaRect.rectangle(of: square, margin: 2)
        XCTAssertEqual(short, 14, accuracy: 1e-9)
        XCTAssertEqual(corners, [TextPoint(x: 8, y: 8), TextPoint(x: 32, y: 8), TextPoint(x: 32, y: 22),
                                 TextPoint(x: 8, y: 22)])
    }

    func testDegenerateSetsGiveZeroSides() {
        XCTAssertEqual(MinAreaRect.rectangle(of: []).shortSide, 0)
        XCTAssertEqual(MinAreaRect.rectangle(of: [TextPoint(x: 3, y: 4)]).shortSide, 0)
        let segment = [TextPoint(x: 0, y: 0), TextPoint(x: 5, y: 5)]
        XCTAssertEqual(MinAreaRect.rectangle(of: segment).shortSide, 0, accuracy: 1e-9)
        XCTAssertEqual(MinAreaRect.convexHull([TextPoint(x: 1, y: 1), TextPoint(x: 1, y: 1)]).count, 1)
    }

    func testOrderPutsCornersClockwiseFromTopLeft() {
        let shuffled = [TextPoint(x: 9, y: 7), TextPoint(x: 1, y: 1), TextPoint(x: 0, y: 6), TextPoint(x: 10, y: 2)]
        XCTAssertEqual(MinAreaRect.ordered(shuffled), [TextPoint(x: 1, y: 1), TextPoint(x: 10, y: 2),
                                                       TextPoint(x: 9, y: 7), TextPoint(x: 0, y: 6)])
    }

    func testHomographyMapsCornersOntoCorners() throws {
        let from = [TextPoint(x: 0, y: 0), TextPoint(x: 40, y: 0), TextPoint(x: 40, y: 10), TextPoint(x: 0, y: 10)]
        let to = [TextPoint(x: 12, y: 30), TextPoint(x: 50, y: 22), TextPoint(x: 53, y: 35), TextPoint(x: 14, y: 41)]
        let a = try XCTUnwrap(PerspectiveCrop.homography(from: from, to: to))
        for (p, q) in zip(from, to) {
            let w = a[6] * p.x + a[7] * p.y + 1
            XCTAssertEqual((a[0] * p.x + a[1] * p.y + a[2]) / w, q.x, accuracy: 1e-9)
            XCTAssertEqual((a[3] * p.x + a[4] * p.y + a[5]) / w, q.y, accuracy: 1e-9)
        }
        XCTAssertNil(PerspectiveCrop.homography(from: from, to: [TextPoint](repeating: to[0], count: 4)))
    }

    private func pattern(width: Int, height: Int) throws -> PixelImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<pixels.count { pixels[i] = UInt8((i * 37 + i / 3 * 11) % 251) }
        return try PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    func testAxisAlignedBoxIsTheExactWindow() throws {
        let image = try pattern(width: 60, height: 40)
        let box = [TextPoint(x: 10, y: 5), TextPoint(x: 40, y: 5), TextPoint(x: 40, y: 20), TextPoint(x: 10, y: 20)]
        XCTAssertEqual(try PerspectiveCrop.crop(image, corners: box),
                       try image.cropped(x: 10, y: 5, width: 30, height: 15))
    }

    func testTallBoxIsTurnedCounterClockwise() throws {
        let image = try pattern(width: 60, height: 40)
        let box = [TextPoint(x: 20, y: 2), TextPoint(x: 30, y: 2), TextPoint(x: 30, y: 32), TextPoint(x: 20, y: 32)]
        let crop = try PerspectiveCrop.crop(image, corners: box)
        XCTAssertEqual([crop.width, crop.height], [30, 10])
        XCTAssertEqual(crop, try image.cropped(x: 20, y: 2, width: 10, height: 30).rotatedCounterClockwise())
    }

    func testBadBoxesAreRefused() throws {
        let image = try pattern(width: 20, height: 20)
        let point = TextPoint(x: 5, y: 5)
        XCTAssertThrowsError(try PerspectiveCrop.crop(image, corners: [point, point, point]))
        XCTAssertThrowsError(try PerspectiveCrop.crop(image, corners: [TextPoint](repeating: point, count: 4)))
        XCTAssertThrowsError(try PerspectiveCrop.crop(image, corners: [point, TextPoint(x: .nan, y: 1), point, point]))
        let far = [TextPoint(x: 0, y: 0), TextPoint(x: 1e9, y: 0), TextPoint(x: 1e9, y: 10), TextPoint(x: 0, y: 10)]
        XCTAssertThrowsError(try PerspectiveCrop.crop(image, corners: far))
    }

    func testBoxPartlyOutsideTheImageSamplesBlack() throws {
        let image = try PixelImage(width: 10, height: 10, channels: 1, pixels: [UInt8](repeating: 200, count: 100))
        let box = [TextPoint(x: 5, y: 0), TextPoint(x: 15, y: 0), TextPoint(x: 15, y: 5), TextPoint(x: 5, y: 5)]
        let crop = try PerspectiveCrop.crop(image, corners: box)
        XCTAssertEqual(crop.pixels[0], 200)
        XCTAssertEqual(crop.pixels[9], 0, "x = 14.5 lies outside the 10-pixel-wide image")
    }
}
