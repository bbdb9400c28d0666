// Pillow resizes RGBA images through premultiplied "RGBa" (Image.resize converts, resizes and
// converts back): these are its two conversions, with the same integer rounding.

enum PremultipliedAlpha {
    /// RGBA → RGBa: each colour times alpha / 255, rounded as Pillow's MULDIV255.
    static func premultiply(_ image: PixelImage) -> PixelImage {
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                let alpha = UInt32(p[i + 3])
                for ch in 0..<3 {
                    let t = UInt32(p[i + ch]) * alpha + 128
                    p[i + ch] = UInt8(truncatingIfNeeded: ((t >> 8) + t) >> 8)
                }
                i += 4
            }
        }
        return out
    }

    /// RGBa → RGBA: each colour times 255 / alpha (integer division, clipped); alpha 0 and 255
    /// leave the colours unchanged.
    static func unpremultiply(_ image: PixelImage) -> PixelImage {
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                let alpha = UInt32(p[i + 3])
                if alpha != 0 && alpha != 255 {
                    for ch in 0..<3 { p[i + ch] = UInt8(min(255 * UInt32(p[i + ch]) / alpha, 255)) }
                }
                i += 4
            }
        }
        return out
    }
}
