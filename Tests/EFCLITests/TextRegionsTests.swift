// Text-region extraction on small hand-drawn probability maps.

import EFVision
import EFCore
import XCTest

final class TextRegionsTests: XCTestCase {
    /// A 10×12 map with two separate bright bars, one faint blob and one 1-pixel-high line.
    private func sampleMap() -> Tensor {
        var pixels = [Float](repeating: 0.05, count: 10 * 12)
        func fill(_ ys: ClosedRange<Int>, _ xs: ClosedRange<Int>, _ value: Float) {
            for y in ys { for x in xs { pixels[y * 12 + x] = value } }
        }
        fill(1...3, 1...8, 0.9)      // a text line
        fill(6...8, 6...10, 0.8)     // a second one
        fill(6...8, 0...2, 0.35)     // above threshold but too faint on average
        fill(5...5, 0...11, 0.95)    // too thin: 1 pixel high
        return Tensor(shape: [1, 1, 10, 12], scalars: pixels)
    }

    func testFindsSeparateRegionsAndDropsFaintOrThinOnes() throws {
        var pixels = sampleMap().scalars(as: Float.self)
        for x in 0...11 { pixels[5 * 12 + x] = 0.05 }  // remove the thin line so bars stay apart
        let regions = try TextRegions.find(in: Tensor(shape: [1, 1, 10, 12], scalars: pixels))
        XCTAssertEqual(regions.count, 2)
        XCTAssertEqual(regions[0].minX, 1); XCTAssertEqual(regions[0].maxX, 8)
        XCTAssertEqual(regions[0].minY, 1); XCTAssertEqual(regions[0].maxY, 3)
        XCTAssertEqual(regions[0].score, 0.9, accuracy: 1e-6)
        XCTAssertEqual(regions[1].minX, 6); XCTAssertEqual(regions[1].maxY, 8)
    }

    func testEightConnectivityJoinsTouchingRegions() throws {
        // The thin line (row 5) touches the lower bar and the faint blob (rows 6-8) but not the
        // top bar (rows 1-3), so it joins the lower two into one region spanning the width.
        let regions = try TextRegions.find(in: sampleMap(), minScore: 0.3)
        XCTAssertEqual(regions.count, 2)
        XCTAssertEqual(regions[1].width, 12)
        XCTAssertEqual(regions[1].minY, 5); XCTAssertEqual(regions[1].maxY, 8)
    }

    func testRejectsWrongDtype() {
        XCTAssertThrowsError(try TextRegions.find(in: Tensor(shape: [2, 2], scalars: [Int64](repeating: 1, count: 4))))
    }
}
