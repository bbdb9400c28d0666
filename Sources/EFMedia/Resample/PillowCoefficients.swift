// Per-axis filter taps for Pillow's two-pass resampler: for every output index, the first
// source index, the tap count and 22-bit fixed-point weights, computed as Pillow 13 does.

import Foundation

/// Fixed-point taps along one axis (Pillow `precompute_coeffs` + `normalize_coeffs_8bpc`).
struct PillowAxisTaps {
    /// Fraction bits of the weights: 32 − 8 − 2, leaving 8 bits for the value and 2 for overflow.
    static let precisionBits: Int32 = 22

    /// Taps stored per output index (the maximum tap count).
    let stride: Int
    /// First source index per output index.
    let first: [Int]
    /// Number of taps per output index.
    let count: [Int]
    /// `outSize * stride` weights; entries past `count` are zero.
    let weights: [Int32]

    init(stride: Int, first: [Int], count: [Int], weights: [Int32]) {
        self.stride = stride
        self.first = first
        self.count = count
        self.weights = weights
    }

    /// Taps mapping `inSize` source samples onto `outSize` outputs over the whole axis.
    init(inSize: Int, outSize: Int, kernel: ConvolutionKernel) {
        // Pillow passes the box edges as C floats and widens their difference to double.
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = kernel.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1 / filterScale
        var first = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * stride)
        var raw = [Double](repeating: 0, count: stride)
        let one = Double(Int32(1) << PillowAxisTaps.precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            // C's (int) conversion truncates toward zero; negative starts clamp to 0 anyway.
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize)
            let n = max(xmax - xmin, 0)
            var total = 0.0
            for x in 0..<n {
                let w = kernel.weight((Double(x + xmin) - center + 0.5) * inverseFilterScale)
                raw[x] = w
                total += w
            }
            for x in 0..<n {
                let w = total != 0 ? raw[x] / total : raw[x]
                weights[xx * stride + x] = w < 0 ? Int32(-0.5 + w * one) : Int32(0.5 + w * one)
            }
            first[xx] = xmin
            count[xx] = n
        }
        self.stride = stride
        self.first = first
        self.count = count
        self.weights = weights
    }

    /// Source range the taps read: `first[0] ..< first[last] + count[last]`.
    var sourceSpan: Range<Int> {
        let last = first.count - 1
        return first[0] ..< max(first[0], first[last] + count[last])
    }
}
