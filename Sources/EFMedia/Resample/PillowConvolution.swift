// Pillow's antialiased two-pass resampler on 8-bit images: usually a horizontal pass into an
// 8-bit intermediate (only the rows the vertical pass reads), then a vertical pass, each
// rounding with 22-bit fixed-point weights and clipping to 0…255 (Pillow 13
// `ImagingResampleInner`, whose pass order rule is reproduced in `resize`).

enum PillowConvolution {
    /// Resizes `image` to `width × height` with `kernel`, channels kept independent, and returns
    /// the `columns × rows` window of that result (the whole of it by default). Every output
    /// pixel depends only on its own taps, so a window costs only its share of the work and
    /// equals the same crop of the full result. The pass order is Pillow 13's: vertical first
    /// when the height shrinks by more than twice as many pixels as the width (the order changes
    /// the 8-bit rounding between the passes).
    static func resize(_ image: PixelImage, width: Int, height: Int, kernel: ConvolutionKernel,
                       columns: Range<Int>? = nil, rows: Range<Int>? = nil) -> PixelImage {
        let columns = columns ?? 0..<width, rows = rows ?? 0..<height
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        let shrinkY = image.height - height, shrinkX = image.width - width
        let horizontalFirst = !(shrinkY > 0 && shrinkY > shrinkX * 2)
        let vertical = needVertical ? PillowAxisTaps(inSize: image.height, outSize: height, kernel: kernel).window(rows)
                                    : PillowAxisTaps(identity: rows)
        let horizontal = needHorizontal ? PillowAxisTaps(inSize: image.width, outSize: width, kernel: kernel).window(columns)
                                        : PillowAxisTaps(identity: columns)
        // An axis that keeps its size and is not windowed needs no pass at all.
        let skipHorizontal = !needHorizontal && columns == 0..<width
        let skipVertical = !needVertical && rows == 0..<height
        if horizontalFirst {
            let span = vertical.sourceSpan
            let narrowed = skipHorizontal ? image : horizontalPass(image, rows: span, taps: horizontal)
            if skipVertical { return narrowed }
            return verticalPass(narrowed, height: rows.count, taps: skipHorizontal ? vertical : vertical.shifted(by: -span.lowerBound))
        }
        let reduced = skipVertical ? image : verticalPass(image, height: rows.count, taps: vertical)
        return skipHorizontal ? reduced : horizontalPass(reduced, rows: 0..<reduced.height, taps: horizontal)
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
    /// The taps of the outputs in `range` only.
    func window(_ range: Range<Int>) -> PillowAxisTaps {
        if range == 0..<first.count { return self }
        return PillowAxisTaps(stride: stride, first: Array(first[range]), count: Array(count[range]),
                              weights: Array(weights[range.lowerBound * stride ..< range.upperBound * stride]))
    }

    /// The same taps with every first index moved by `delta` (the vertical pass reads the
    /// horizontal pass's output, which starts at the first row the taps use).
    func shifted(by delta: Int) -> PillowAxisTaps {
        delta == 0 ? self : PillowAxisTaps(stride: stride, first: first.map { $0 + delta }, count: count, weights: weights)
    }

    /// Copying taps: output i is source `range.lowerBound + i` with weight 1.0 (an axis that
    /// keeps its size but is windowed).
    init(identity range: Range<Int>) {
        self.init(stride: 1, first: Array(range), count: [Int](repeating: 1, count: range.count),
                  weights: [Int32](repeating: Int32(1) << PillowAxisTaps.precisionBits, count: range.count))
    }
}
