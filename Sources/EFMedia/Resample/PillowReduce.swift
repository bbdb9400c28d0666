// Pillow's `Image.reduce(factor)`: each output pixel is the rounded mean of its factor × factor
// box of the input, the last column and row averaging their partial boxes; the output is
// ⌈width / factor⌉ × ⌈height / factor⌉. Pillow's integer arithmetic (Reduce.c) is kept exactly:
// (sum + ⌊n / 2⌋) · m >> 24 in UInt32, with m = ⌊2^32 / (256 n)⌋ divided in float32 and n the
// box's pixel count. The decoder uses it to hand back a smaller image when the caller needs less.
// The arithmetic runs in C (CResample).

import CResample
import EFCore

enum PillowReduce {
    /// `image` reduced by `factor` (≥ 1) on both axes, channels kept independent (C, baseline or
    /// AVX2 by the CPU: CResample).
    static func reduce(_ image: PixelImage, by factor: Int) -> PixelImage {
        precondition(factor >= 1, "reduce factor must be at least 1")
        if factor == 1 { return image }
        let outWidth = (image.width + factor - 1) / factor, outHeight = (image.height + factor - 1) / factor
        var out = PixelImage(zerosWidth: outWidth, height: outHeight, channels: image.channels)
        var sums = [UInt32](repeating: 0, count: image.rowBytes + 4)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                ef_u8_reduce(src.baseAddress, Int64(image.width), Int64(image.height), Int64(image.channels),
                             Int64(factor), &sums, dst.baseAddress)
            }
        }
        return out
    }

    /// The factor Pillow's `draft` would pick for a `width × height` image that must stay at
    /// least `minimumWidth × minimumHeight`: the largest of 8, 4, 2 not above
    /// min(width / minimumWidth, height / minimumHeight) (integer division), else 1.
    static func draftFactor(width: Int, height: Int, minimumWidth: Int, minimumHeight: Int) -> Int {
        guard minimumWidth >= 1, minimumHeight >= 1 else { return 1 }
        let ratio = min(width / minimumWidth, height / minimumHeight)
        return [8, 4, 2].first { ratio >= $0 } ?? 1
    }
}

extension PixelImage {
    /// This image reduced `factor` times on both axes as Pillow's `Image.reduce(factor)` does:
    /// ⌈width / factor⌉ × ⌈height / factor⌉, same channels (RGBA through premultiplied RGBa, as Pillow).
    /// - Throws: `EdgeflowError.invalidArgument` for a factor below 1.
    public func reduced(by factor: Int) throws -> PixelImage {
        guard factor >= 1 else { throw EdgeflowError(.invalidArgument, "reduce factor \(factor) is below 1") }
        guard channels == 4 else { return PillowReduce.reduce(self, by: factor) }
        let premultiplied = PremultipliedAlpha.premultiply(self)
        return PremultipliedAlpha.unpremultiply(PillowReduce.reduce(premultiplied, by: factor))
    }
}
