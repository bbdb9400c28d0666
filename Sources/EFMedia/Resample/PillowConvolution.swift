// Pillow's antialiased two-pass resampler on 8-bit images: usually a horizontal pass into an
// 8-bit intermediate (only the rows the vertical pass reads), then a vertical pass, each
// rounding with 22-bit fixed-point weights and clipping to 0…255 (Pillow 13
// `ImagingResampleInner`, whose pass order rule is reproduced in `resize`). The passes run in
// C (CResample: a baseline build and an AVX2 build, byte-identical).

import CResample

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
        let vertical = needVertical
            ? PillowAxisTaps(inSize: image.height, outSize: height, kernel: kernel).window(rows)
            : PillowAxisTaps(identity: rows)
        let horizontal = needHorizontal
            ? PillowAxisTaps(inSize: image.width, outSize: width, kernel: kernel).window(columns)
            : PillowAxisTaps(identity: columns)
        // An axis that keeps its size and is not windowed needs no pass at all.
        let skipHorizontal = !needHorizontal && columns == 0..<width
        let skipVertical = !needVertical && rows == 0..<height
        if horizontalFirst {
            let span = vertical.sourceSpan
            let narrowed = skipHorizontal ? image : horizontalPass(image, rows: span, taps: horizontal)
            if skipVertical { return narrowed }
            let shifted = skipHorizontal ? vertical : vertical.shifted(by: -span.lowerBound)
            return verticalPass(narrowed, height: rows.count, taps: shifted)
        }
        let reduced = skipVertical ? image : verticalPass(image, height: rows.count, taps: vertical)
        return skipHorizontal ? reduced : horizontalPass(reduced, rows: 0..<reduced.height, taps: horizontal)
    }

    /// The horizontal pass over `rows` of `image` (C, baseline or AVX2 by the CPU: CResample).
    static func horizontalPass(_ image: PixelImage, rows: Range<Int>, taps: PillowAxisTaps) -> PixelImage {
        let outWidth = taps.first.count
        var out = PixelImage(zerosWidth: outWidth, height: rows.count, channels: image.channels)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                taps.withC { c in
                    ef_u8_resample_horizontal(src.baseAddress, Int64(image.width), Int64(image.height),
                                              Int64(image.channels), Int64(rows.lowerBound), Int64(rows.count), c,
                                              Int64(outWidth), dst.baseAddress)
                }
            }
        }
        return out
    }

    /// The vertical pass into `height` rows (C, baseline or AVX2 by the CPU: CResample).
    static func verticalPass(_ image: PixelImage, height: Int, taps: PillowAxisTaps) -> PixelImage {
        var out = PixelImage(zerosWidth: image.width, height: height, channels: image.channels)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                taps.withC { c in
                    ef_u8_resample_vertical(src.baseAddress, Int64(image.rowBytes), Int64(height), c, dst.baseAddress)
                }
            }
        }
        return out
    }
}

extension PillowAxisTaps {
    /// Calls `body` with these taps as CResample's struct (valid only inside `body`).
    func withC<R>(_ body: (UnsafePointer<ef_resample_taps>) -> R) -> R {
        first.withUnsafeBufferPointer { first in
            count.withUnsafeBufferPointer { count in
                weights.withUnsafeBufferPointer { weights in
                    var taps = ef_resample_taps(first: first.baseAddress, count: count.baseAddress,
                                                weights: weights.baseAddress, stride: Int64(stride))
                    return withUnsafePointer(to: &taps) { body($0) }
                }
            }
        }
    }

    /// The taps of the outputs in `range` only.
    func window(_ range: Range<Int>) -> PillowAxisTaps {
        if range == 0..<first.count { return self }
        return PillowAxisTaps(stride: stride, first: Array(first[range]), count: Array(count[range]),
                              weights: Array(weights[range.lowerBound * stride ..< range.upperBound * stride]))
    }

    /// The same taps with every first index moved by `delta` (the vertical pass reads the
    /// horizontal pass's output, which starts at the first row the taps use).
    func shifted(by delta: Int) -> PillowAxisTaps {
        delta == 0 ? self
                   : PillowAxisTaps(stride: stride, first: first.map { $0 + delta }, count: count, weights: weights)
    }

    /// Copying taps: output i is source `range.lowerBound + i` with weight 1.0 (an axis that
    /// keeps its size but is windowed).
    init(identity range: Range<Int>) {
        self.init(stride: 1, first: Array(range), count: [Int](repeating: 1, count: range.count),
                  weights: [Int32](repeating: Int32(1) << PillowAxisTaps.precisionBits, count: range.count))
    }
}
