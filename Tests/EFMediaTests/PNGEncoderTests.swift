// PNGEncoder: gray, RGB and RGBA images survive an encode → decode round trip bit-exactly.

import EFCore
import EFMedia
import XCTest

final class PNGEncoderTests: XCTestCase {
    func testRoundTripThroughImageDecoder() throws {
        let w = 13, h = 7
        for channels in [1, 3, 4] {
            let pixels = (0..<(w * h * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + channels) }
            let image = try PixelImage(width: w, height: h, channels: channels, pixels: pixels)
            let png = try PNGEncoder.encode(image)
            XCTAssertEqual(ImageDecoder.format(of: png), .png)
            let decoded = try ImageDecoder.decode(bytes: png)
            XCTAssertEqual([decoded.image.width, decoded.image.height, decoded.storedWidth], [w, h, w])
            // The decoder returns RGB: gray is replicated, alpha dropped.
            for p in 0..<(w * h) {
                let expected = channels == 1 ? [pixels[p], pixels[p], pixels[p]] : Array(pixels[p * channels..<p * channels + 3])
                XCTAssertEqual(Array(decoded.image.pixels[p * 3..<p * 3 + 3]), expected, "channels \(channels), pixel \(p)")
            }
        }
    }

    func testOnePixelImage() throws {
        let png = try PNGEncoder.encode(try PixelImage(width: 1, height: 1, channels: 3, pixels: [1, 2, 3]))
        XCTAssertEqual(try ImageDecoder.decode(bytes: png).image.pixels, [1, 2, 3])
    }
}
