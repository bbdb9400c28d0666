// Pillow's `Image.reduce(factor)`: each output pixel is the rounded mean of its factor × factor
// box of the input, the last column and row averaging their partial boxes; the output is
// ⌈width / factor⌉ × ⌈height / factor⌉. Pillow's integer arithmetic (Reduce.c) is kept exactly:
// (sum + ⌊n / 2⌋) · m >> 24 in UInt32, with m = ⌊2^32 / (256 n)⌋ divided in float32 and n the
// box's pixel count. The decoder uses it to hand back a smaller image when the caller needs less.

import EFCore

enum PillowReduce {
    /// `image` reduced by `factor` (≥ 1) on both axes, channels kept independent.
    static func reduce(_ image: PixelImage, by factor: Int) -> PixelImage {
        precondition(factor >= 1, "reduce factor must be at least 1")
        if factor == 1 { return image }
        let c = image.channels, w = image.width, h = image.height, rowBytes = image.rowBytes
        let outWidth = (w + factor - 1) / factor, outHeight = (h + factor - 1) / factor
        var out = PixelImage(zerosWidth: outWidth, height: outHeight, channels: c)
        var columnSums = [UInt32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                columnSums.withUnsafeMutableBufferPointer { sums in
                    for outY in 0..<outHeight {
                        let firstRow = outY * factor, rows = min(factor, h - firstRow)
                        for i in 0..<rowBytes { sums[i] = 0 }
                        for y in firstRow..<(firstRow + rows) {
                            let row = y * rowBytes
                            for i in 0..<rowBytes { sums[i] &+= UInt32(src[row + i]) }
                        }
                        let fullBox = multiplier(rows * factor)
                        for outX in 0..<outWidth {
                            let firstColumn = outX * factor, columns = min(factor, w - firstColumn)
                            let count = rows * columns
                            let m = columns == factor ? fullBox : multiplier(count)
                            let amend = UInt32(count / 2)
                            let o = (outY * outWidth + outX) * c
                            for ch in 0..<c {
                                var sum = amend
                                var i = firstColumn * c + ch
                                for _ in 0..<columns {
                                    sum &+= sums[i]
                                    i += c
                                }
                                dst[o + ch] = UInt8(truncatingIfNeeded: (sum &* m) >> 24)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Reduce.c's `division_UINT32(n, 8)`: 2^32 / (256 n) in float32, truncated.
    static func multiplier(_ count: Int) -> UInt32 {
        UInt32(Float(4_294_967_296.0) / Float(256 * count))
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
