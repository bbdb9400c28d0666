// The MSE range estimator: a grid search over clip ranges [a, b] (each bound shrunk towards 0
// in 1/128 steps of the observed extreme, alternating between the bounds for a few rounds)
// for the one whose u8 quantization (the quantizer's own scale and zero point) minimizes
// Σ(x − x̂)² over the tensor's histogram. Values are taken as spread evenly over their bin, and
// the squared error of each bin is integrated exactly over the quantizer's staircase, so the
// error is a smooth function of the range and both clipping and rounding noise count.

import EFCore

/// Clip ranges minimizing the squared quantization error on a histogram.
public enum MSERange {
    /// Candidates per bound per round: bound · k / steps for k = 1…steps.
    public static let steps = 128
    /// Alternations between the upper and the lower bound.
    public static let rounds = 3

    /// The range minimizing `squaredError`; nil for an empty histogram. A bound on the far
    /// side of 0 (the lower bound of a non-negative tensor) stays where it is.
    public static func range(_ histogram: ValueHistogram) -> (lower: Float, upper: Float)? {
        guard histogram.total > 0 else { return nil }
        guard histogram.binWidth > 0 else { return (histogram.lower, histogram.upper) }
        var low = histogram.lower, high = histogram.upper
        guard var best = squaredError(histogram, lower: low, upper: high) else { return (low, high) }
        func candidates(_ extreme: Float, movable: Bool) -> [Float] {
            movable ? (1...steps).reversed().map { extreme * Float($0) / Float(steps) } : [extreme]
        }
        let uppers = candidates(histogram.upper, movable: histogram.upper > 0)
        let lowers = candidates(histogram.lower, movable: histogram.lower < 0)
        for _ in 0..<rounds {
            let before = (low, high)
            for b in uppers {
                if let error = squaredError(histogram, lower: low, upper: b), error < best { (best, high) = (error, b) }
            }
            for a in lowers {
                if let error = squaredError(histogram, lower: a, upper: high), error < best { (best, low) = (error, a) }
            }
            if before == (low, high) { break }
        }
        return (low, high)
    }

    /// Σ(x − x̂)² over the histogram's values when they are quantized with the u8 parameters of
    /// [lower, upper] (widened to contain 0, as `ActivationQuantization`) and dequantized;
    /// nil when those parameters do not exist (a range too narrow for float32).
    public static func squaredError(_ histogram: ValueHistogram, lower: Float, upper: Float) -> Double? {
        guard let q = try? ActivationQuantization(lower: lower, upper: upper) else { return nil }
        let scale = Double(q.scale), zero = Double(q.zeroPoint), width = histogram.binWidth
        guard width > 0 else { return 0 }
        var total = 0.0
        for (bin, count) in histogram.counts.enumerated() where count > 0 {
            let left = Double(histogram.lower) + Double(bin) * width
            total += Double(count) / width * integral(from: left, to: left + width, scale: scale, zero: zero)
        }
        return total
    }

    /// ∫ (x − x̂(x))² dx over [from, to], where x̂ rounds x/scale to a code (half up; ties have
    /// measure zero), adds the zero point, clamps to 0…255 and dequantizes.
    static func integral(from: Double, to: Double, scale: Double, zero: Double) -> Double {
        var u = from, sum = 0.0
        var code = Swift.min(Swift.max((u / scale + 0.5).rounded(.down) + zero, 0), 255)
        while u < to {
            let level = (code - zero) * scale
            let boundary = code < 255 ? (code - zero + 0.5) * scale : Double.infinity
            let v = Swift.min(to, Swift.max(boundary, u))
            let (p, r) = (v - level, u - level)
            sum += (p * p * p - r * r * r) / 3
            u = v
            code += 1
        }
        return sum
    }
}
