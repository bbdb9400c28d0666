// Applies an EXIF orientation (1...8) to a decoded image, with the same transforms as
// Pillow's ImageOps.exif_transpose: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose,
// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.

enum Orientation {
    /// True when the orientation swaps width and height (5...8).
    static func swapsAxes(_ orientation: Int) -> Bool { (5...8).contains(orientation) }

    /// `image` displayed upright. Orientation 1 (or any value outside 2...8) returns it unchanged.
    static func apply(_ orientation: Int, to image: PixelImage) -> PixelImage {
        guard (2...8).contains(orientation) else { return image }
        let w = image.width, h = image.height, c = image.channels
        let swapped = swapsAxes(orientation)
        let outW = swapped ? h : w, outH = swapped ? w : h
        var out = PixelImage(zerosWidth: outW, height: outH, channels: c)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (w - 1 - x, y)
                        case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case 4: (sx, sy) = (x, h - 1 - y)
                        case 5: (sx, sy) = (y, x)
                        case 6: (sx, sy) = (y, h - 1 - x)
                        case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                        default: (sx, sy) = (w - 1 - y, x)  // 8
                        }
                        let s = (sy * w + sx) * c, d = (y * outW + x) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
        return out
    }
}
