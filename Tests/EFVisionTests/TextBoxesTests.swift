// DB post-processing on hand-made probability maps (a turned bar must come back as a turned box
// grown by the unclip distance and scaled to the image; weak, thin and empty maps give nothing),
// Immich's reading order with its 10-pixel line tolerance, and Immich's detector input sizes.

import EFCore
import EFMedia
import EFVision
import Foundation
import XCTest

final class TextBoxesTests: XCTestCase {
    /// A [1, 1, h, w] map: `value` inside the bar centred at (cx, cy) turned by `degrees`, 0.05 elsewhere.
    private func map(width: Int, height: Int, cx: Double, cy: Double, length: Double, thickness: Double,
                     degrees: Double, value: Float = 0.9) -> Tensor {
        let a = degrees * .pi / 180
        var values = [Float](repeating: 0.05, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x) - cx, dy = Double(y) - cy
                if abs(dx * cos(a) + dy * sin(a)) <= length / 2 && abs(-dx * sin(a) + dy * cos(a)) <= thickness / 2 {
                    values[y * width + x] = value
                }
            }
        }
        return Tensor(shape: [1, 1, height, width], scalars: values)
    }

    func testTurnedBarGivesATurnedGrownBoxInImagePixels() throws {
        let probabilities = map(width: 128, height: 96, cx: 64, cy: 48, length: 80, thickness: 12, degrees: -15)
        let boxes = try TextBoxes.find(in: probabilities, imageWidth: 256, imageHeight: 192)
        XCTAssertEqual(boxes.count, 1)
        let box = try XCTUnwrap(boxes.first)
        // The mean runs over the rectangle of the dilated shape, whose rim holds 0.05s.
        XCTAssertEqual(box.score, 0.8, accuracy: 0.1)
        let c = box.corners
        // The bar is ~81 × 13 map pixels (dilation adds one); unclip grows each side by
        // area · 1.6 / perimeter ≈ 9 pixels; the image is twice the map.
        let long = c[0].distance(to: c[1]), short = c[0].distance(to: c[3])
        XCTAssertEqual(long, 2 * (81 + 2 * 9.0), accuracy: 6)
        XCTAssertEqual(short, 2 * (13 + 2 * 9.0), accuracy: 6)
        let angle = atan2(c[1].y - c[0].y, c[1].x - c[0].x) * 180 / .pi
        XCTAssertEqual(angle, -15, accuracy: 2)
        XCTAssertTrue(c.allSatisfy { $0.x == $0.x.rounded() && $0.y == $0.y.rounded() }, "whole pixels: \(c)")
        let centre = TextPoint(x: c.map(\.x).reduce(0, +) / 4, y: c.map(\.y).reduce(0, +) / 4)
        XCTAssertEqual(centre.x, 128, accuracy: 3)
        XCTAssertEqual(centre.y, 96, accuracy: 3)
    }

    func testWeakThinAndEmptyMapsGiveNothing() throws {
        let weak = map(width: 64, height: 64, cx: 32, cy: 32, length: 40, thickness: 10, degrees: 0, value: 0.45)
        XCTAssertEqual(try TextBoxes.find(in: weak, imageWidth: 64, imageHeight: 64).count, 0)
        XCTAssertEqual(try TextBoxes.find(in: weak, imageWidth: 64, imageHeight: 64, minScore: 0.4).count, 1)
        let thin = map(width: 64, height: 64, cx: 32, cy: 32, length: 40, thickness: 1, degrees: 0)
        XCTAssertEqual(try TextBoxes.find(in: thin, imageWidth: 64, imageHeight: 64).count, 0)
        let empty = Tensor(shape: [1, 1, 32, 32], scalars: [Float](repeating: 0, count: 1024))
        XCTAssertEqual(try TextBoxes.find(in: empty, imageWidth: 32, imageHeight: 32), [])
    }

    func testBoxesTouchingTheBorderAreClippedInsideTheImage() throws {
        let probabilities = map(width: 64, height: 32, cx: 4, cy: 16, length: 30, thickness: 10, degrees: 0)
        let box = try XCTUnwrap(try TextBoxes.find(in: probabilities, imageWidth: 640, imageHeight: 320).first)
        let inside = box.corners.allSatisfy { (0...639).contains($0.x) && (0...319).contains($0.y) }
        XCTAssertTrue(inside, "\(box.corners)")
        XCTAssertEqual(box.corners[0].x, 0)
    }

    func testBadMapsAreRefused() {
        XCTAssertThrowsError(try TextBoxes.find(in: Tensor(shape: [2, 2], scalars: [Int64](repeating: 1, count: 4)),
                                                imageWidth: 2, imageHeight: 2))
        let batched = Tensor(shape: [2, 1, 2, 2], scalars: [Float](repeating: 1, count: 8))
        XCTAssertThrowsError(try TextBoxes.find(in: batched, imageWidth: 2, imageHeight: 2))
        XCTAssertThrowsError(try TextBoxes.find(in: Tensor(shape: [2, 2], scalars: [Float](repeating: 1, count: 4)),
                                                imageWidth: 0, imageHeight: 2))
    }

    private func box(_ x: Double, _ y: Double) -> TextBox {
        TextBox(corners: [TextPoint(x: x, y: y), TextPoint(x: x + 20, y: y), TextPoint(x: x + 20, y: y + 8),
                          TextPoint(x: x, y: y + 8)], score: Float(x))
    }

    func testReadingOrderJoinsLinesWithinTenPixels() {
        let ordered = TextBoxes.readingOrder([box(50, 104), box(10, 100), box(80, 95), box(5, 40), box(30, 113)])
        // y 95, 100, 104, 113 form one line (each step < 10); y 40 comes first.
        XCTAssertEqual(ordered.map(\.corners[0].x), [5, 10, 30, 50, 80])
        let split = TextBoxes.readingOrder([box(50, 110), box(10, 100)])
        XCTAssertEqual(split.map(\.corners[0].x), [10, 50], "10 pixels apart starts a new line")
    }

    func testDetectorInputSizesAreImmichs() {
        func size(_ w: Int, _ h: Int, _ r: Int = 736) -> [Int]? {
            TextDetectionInput.size(width: w, height: h, maxResolution: r).map { [$0.width, $0.height] }
        }
        XCTAssertEqual(size(384, 191), [384, 192], "never enlarged; 191 rounds to 192")
        XCTAssertEqual(size(960, 800), [896, 736])
        XCTAssertEqual(size(1440, 1080), [992, 736], "981 → 992")
        XCTAssertEqual(size(1080, 1440), [736, 992])
        XCTAssertEqual(size(48, 80), [64, 64], "1.5 and 2.5 round half to even")
        XCTAssertEqual(size(5000, 40), [4992, 32], "a huge aspect ratio keeps its height")
        XCTAssertEqual(size(2000, 1000, 512), [1024, 512])
        XCTAssertNil(size(31, 500))
        XCTAssertNil(size(500, 31))
        XCTAssertNil(size(100, 100, 0))
    }

    func testDetectorInputIsBGRWithImmichsNormalization() throws {
        let image = try PixelImage(width: 32, height: 32, channels: 3,
                                   pixels: (0..<(32 * 32)).flatMap { _ in [UInt8(255), 0, 128] })
        let tensor = try XCTUnwrap(try TextDetectionInput.tensor(image, maxResolution: 736))
        XCTAssertEqual(tensor.shape, [1, 3, 32, 32])
        let values = tensor.doubleValues()
        XCTAssertEqual(values[0], (128 - 0.5) / 127.5, accuracy: 1e-6, "blue first")
        XCTAssertEqual(values[1024], (0 - 0.5) / 127.5, accuracy: 1e-6)
        XCTAssertEqual(values[2048], (255 - 0.5) / 127.5, accuracy: 1e-6)
        XCTAssertNil(try TextDetectionInput.tensor(try PixelImage(width: 8, height: 40, channels: 3,
                                                                  pixels: [UInt8](repeating: 9, count: 960)),
                                                   maxResolution: 736))
    }
}
