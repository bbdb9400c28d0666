// PixelImage: the size checks every decoder and recipe relies on.

import EFCore
import EFMedia
import XCTest

final class PixelImageTests: XCTestCase {
    func testRejectsMismatchedByteCountAndBadDimensions() {
        XCTAssertThrowsError(try PixelImage(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 11)))
        XCTAssertThrowsError(try PixelImage(width: 0, height: 2, channels: 3, pixels: []))
        XCTAssertThrowsError(try PixelImage(width: 1, height: 1, channels: 2, pixels: [0, 0]))
        XCTAssertEqual(try PixelImage(width: 2, height: 1, channels: 4, pixels: [UInt8](repeating: 7, count: 8)).rowBytes, 8)
    }
}
