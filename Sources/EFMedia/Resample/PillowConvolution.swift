// Pillow's antialiased two-pass resampler on 8-bit images: a horizontal pass into an 8-bit
// intermediate (only the rows the vertical pass reads), then a vertical pass, each rounding
// with 22-bit fixed-point weights and clipping to 0…255 (Pillow 13 `ImagingResampleInner`).

enum PillowConvolution {
    /// Resizes `image` to `width × height` with `kernel`, channels kept independent.
    static func resize(_ image: PixelImage, width: Int, height: Int, kernel: ConvolutionKernel) -> PixelImage {
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        if !needHorizontal && !needVertical { return image }
        var vertical = PillowAxisTaps(inSize: image.height, outSize: height, kernel: kernel)
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
