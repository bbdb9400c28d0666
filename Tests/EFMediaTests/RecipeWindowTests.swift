// The clip recipe computes only its crop window of the resized image; that must equal the full
// Pillow-exact resize (checked against Pillow by ResampleGoldenTests) followed by the crop, in
// both of Pillow's pass orders (vertical first when the height shrinks much more than the width).

import EFCore
import EFMedia
import EFTestSupport
import XCTest

final class RecipeWindowTests: XCTestCase {
    private func noise(width: Int, height: Int, seed: UInt64) throws -> PixelImage {
        var state = seed
        let bytes = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return try PixelImage(width: width, height: height, channels: 3, pixels: bytes)
    }

    func testClipWindowEqualsFullResizeThenCrop() throws {
        // (width, height): landscape, portrait with vertical-first order, upscaling, already square.
        for (index, (w, h)) in [(500, 375), (300, 1000), (120, 90), (61, 47), (224, 224), (224, 400)].enumerated() {
            let image = try noise(width: w, height: h, seed: UInt64(index + 1))
            let size = 56
            let long = Int(Double(size * max(w, h)) / Double(min(w, h)))
            let (nw, nh) = w <= h ? (size, long) : (long, size)
            let full = try Resampler.resize(image, width: nw, height: nh, filter: .bicubic)
            let top = Int((Double(nh - size) / 2).rounded(.toNearestOrEven))
            let left = Int((Double(nw - size) / 2).rounded(.toNearestOrEven))
            var expected = [UInt8]()
            for row in top ..< top + size {
                expected += full.pixels[(row * nw + left) * 3 ..< (row * nw + left + size) * 3]
            }
            let prepared = try PreprocessRecipe.clip(size: size).apply(to: image)
            XCTAssertEqual(prepared.image.pixels, expected, "\(w)×\(h) → \(nw)×\(nh), crop at (\(left), \(top))")
        }
    }
}
