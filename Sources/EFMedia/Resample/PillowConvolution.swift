// Pillow's antialiased two-pass resampler on 8-bit images: usually a horizontal pass into an
// 8-bit intermediate (only the rows the vertical pass reads), then a vertical pass, each
// rounding with 22-bit fixed-point weights and clipping to 0…255 (Pillow 13
// `ImagingResampleInner`, whose pass order rule is reproduced in `resize`).

enum PillowConvolution {
    /// Resizes `image` to `width × height` with `kernel`, channels kept independent. The pass
    /// order is Pillow 13's: vertical first when the height shrinks by more than twice as many
    /// pixels as the width (the order changes the 8-bit rounding between the passes).
    static func resize(_ image: PixelImage, width: Int, height: Int, kernel: ConvolutionKernel) -> PixelImage {
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        if !needHorizontal && !needVertical { return image }
        let shrinkY = image.height - height, shrinkX = image.width - width
        let horizontalFirst = !(shrinkY > 0 && shrinkY > shrinkX * 2)
        var vertical = PillowAxisTaps(inSize: image.height, outSize: height, kernel: kernel)
        guard horizontalFirst else {
            let reduced = needVertical ? verticalPass(image, height: height, taps: vertical) : image
            guard needHorizontal else { return reduced }
            let horizontal = PillowAxisTaps(inSize: image.width, outSize: width, kernel: kernel)
            return horizontalPass(reduced, rows: 0..<reduced.height, taps: horizontal)
        }
        var source = image
        var rowOffset = 0
        if needHorizontal {
            let span = vertical.sourceSpan
            let horizontal = PillowAxisTaps(inSize: image.width, outSize: width, kernel: kernel)
            source = horizontalPass(image, rows: span, taps: horizontal)
            rowOffset = span.lowerBound
        }
        guard needVertical else { return source }
        if rowOffset != 0 {
            vertical = PillowAxisTaps(shifting: vertical, by: -rowOffset)
        }
        return verticalPass(source, height: height, taps: vertical)
    }

    /// Pillow's clip8: drop the fraction bits (arithmetic shift) and clamp to a byte.
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let v = sum >> PillowAxisTaps.precisionBits
        return UInt8(truncatingIfNeeded: min(max(v, 0), 255))
    }

    static func horizontalPass(_ image: PixelImage, rows: Range<Int>, taps: PillowAxisTaps) -> PixelImage {
        let c = image.channels
        let outWidth = taps.first.count
        var out = PixelImage(zerosWidth: outWidth, height: rows.count, channels: c)
        let half = Int32(1) << (PillowAxisTaps.precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                taps.weights.withUnsafeBufferPointer { k in
                    for (outRow, y) in rows.enumerated() {
                        let srcRow = y * image.width * c
                        let dstRow = outRow * outWidth * c
                        for xx in 0..<outWidth {
                            let first = srcRow + taps.first[xx] * c
                            let kBase = xx * taps.stride
                            let n = taps.count[xx]
                            if c == 3 {  // the common case: all three sums in one sweep over the taps
                                var (r, g, b) = (half, half, half)
                                var p = first
                                for t in 0..<n {
                                    let w = k[kBase + t]
                                    r = r &+ Int32(src[p]) &* w
                                    g = g &+ Int32(src[p + 1]) &* w
                                    b = b &+ Int32(src[p + 2]) &* w
                                    p += 3
                                }
                                let o = dstRow + xx * 3
                                (dst[o], dst[o + 1], dst[o + 2]) = (clip8(r), clip8(g), clip8(b))
                                continue
                            }
                            for ch in 0..<c {
                                var sum = half
                                var p = first + ch
                                for t in 0..<n {
                                    sum = sum &+ Int32(src[p]) &* k[kBase + t]
                                    p += c
                                }
                                dst[dstRow + xx * c + ch] = clip8(sum)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    static func verticalPass(_ image: PixelImage, height: Int, taps: PillowAxisTaps) -> PixelImage {
        let rowBytes = image.rowBytes
        var out = PixelImage(zerosWidth: image.width, height: height, channels: image.channels)
        let half = Int32(1) << (PillowAxisTaps.precisionBits - 1)
        var sums = [Int32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                sums.withUnsafeMutableBufferPointer { acc in
                    for yy in 0..<height {
                        for i in 0..<rowBytes { acc[i] = half }
                        let kBase = yy * taps.stride
                        for t in 0..<taps.count[yy] {
                            let w = taps.weights[kBase + t]
                            let row = (taps.first[yy] + t) * rowBytes
                            for i in 0..<rowBytes { acc[i] = acc[i] &+ Int32(src[row + i]) &* w }
                        }
                        let dstRow = yy * rowBytes
                        for i in 0..<rowBytes { dst[dstRow + i] = clip8(acc[i]) }
                    }
                }
            }
        }
        return out
    }
}

extension PillowAxisTaps {
    /// The same taps with every first index moved by `delta` (the vertical pass reads the
    /// horizontal pass's output, which starts at the first row the taps use).
    init(shifting taps: PillowAxisTaps, by delta: Int) {
        self.init(stride: taps.stride, first: taps.first.map { $0 + delta }, count: taps.count, weights: taps.weights)
    }
}
