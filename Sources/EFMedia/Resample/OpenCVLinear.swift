// OpenCV's cv2.resize(INTER_LINEAR) for 8-bit images (opencv-python 5.0.0): half-pixel
// centres, weights rounded to 11 bits, an exact integer horizontal pass and the vertical
// rounding of OpenCV's SIMD kernel: ((S0>>4)·b0>>16 + (S1>>4)·b1>>16 + 2) >> 2.

enum OpenCVLinear {
    static let coefficientScale: Float = 2048  // INTER_RESIZE_COEF_BITS = 11

    /// Two-tap weights along one axis: source indices (already clamped) and 11-bit weights.
    struct Taps {
        var index0: [Int], index1: [Int], weight0: [Int32], weight1: [Int32]

        /// `clampFraction`: OpenCV zeroes the fraction at the borders horizontally only; the
        /// vertical axis clamps just the row indices.
        init(inSize: Int, outSize: Int, clampFraction: Bool) {
            let scale = 1.0 / (Double(outSize) / Double(inSize))
            index0 = []; index1 = []; weight0 = []; weight1 = []
            for d in 0..<outSize {
                var f = Float((Double(d) + 0.5) * scale - 0.5)
                var s = Int(f.rounded(.down))
                f -= Float(s)
                if clampFraction && s < 0 { f = 0; s = 0 }
                if clampFraction && s >= inSize - 1 { f = 0; s = inSize - 1 }
                index0.append(min(max(s, 0), inSize - 1))
                index1.append(min(max(s + 1, 0), inSize - 1))
                weight0.append(Int32(((1 - f) * OpenCVLinear.coefficientScale).rounded(.toNearestOrEven)))
                weight1.append(Int32((f * OpenCVLinear.coefficientScale).rounded(.toNearestOrEven)))
            }
        }
    }

    static func resize(_ image: PixelImage, width: Int, height: Int) -> PixelImage {
        if width == image.width && height == image.height { return image }
        let c = image.channels
        let rowLength = width * c
        let xt = Taps(inSize: image.width, outSize: width, clampFraction: true)
        let yt = Taps(inSize: image.height, outSize: height, clampFraction: false)
        // Horizontal pass for every source row (exact integers), then the vertical blend.
        var rows = [Int32](repeating: 0, count: image.height * rowLength)
        image.pixels.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { h in
                for y in 0..<image.height {
                    let srcRow = y * image.rowBytes
                    let dstRow = y * rowLength
                    for x in 0..<width {
                        let p0 = srcRow + xt.index0[x] * c, p1 = srcRow + xt.index1[x] * c
                        let w0 = xt.weight0[x], w1 = xt.weight1[x]
                        for ch in 0..<c {
                            h[dstRow + x * c + ch] = Int32(src[p0 + ch]) * w0 + Int32(src[p1 + ch]) * w1
                        }
                    }
                }
            }
        }
        var out = PixelImage(zerosWidth: width, height: height, channels: c)
        rows.withUnsafeBufferPointer { h in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let r0 = yt.index0[y] * rowLength, r1 = yt.index1[y] * rowLength
                    let b0 = yt.weight0[y], b1 = yt.weight1[y]
                    let dstRow = y * rowLength
                    for i in 0..<rowLength {
                        let s0 = min(max(h[r0 + i] >> 4, -32768), 32767)
                        let s1 = min(max(h[r1 + i] >> 4, -32768), 32767)
                        let v = (((s0 * b0) >> 16) + ((s1 * b1) >> 16) + 2) >> 2
                        dst[dstRow + i] = UInt8(truncatingIfNeeded: min(max(v, 0), 255))
                    }
                }
            }
        }
        return out
    }
}
