// A fixed-range histogram of one float tensor's values over the calibration samples, the input
// of the percentile and MSE range estimators. Its range is the overall [min, max] a first
// calibration pass observed, so a second pass over the same samples puts every value in a bin.

import EFCore

/// Counts of a tensor's finite values in equal-width bins over [lower, upper].
public struct ValueHistogram: Equatable, Sendable {
    /// The bin count the quantizer uses (as onnxruntime's percentile calibrator).
    public static let defaultBins = 2048

    /// The left edge of the first bin.
    public let lower: Float
    /// The right edge of the last bin.
    public let upper: Float
    /// Values per bin.
    public private(set) var counts: [Int]
    /// All values counted.
    public private(set) var total = 0

    /// An empty histogram of `bins` (at least 1) bins over [lower, upper]; a degenerate range
    /// (lower == upper) counts every value in one bin.
    public init(lower: Float, upper: Float, bins: Int = defaultBins) {
        self.lower = Swift.min(lower, upper)
        self.upper = Swift.max(lower, upper)
        counts = [Int](repeating: 0, count: Swift.max(bins, 1))
    }

    /// The width of one bin (0 for a degenerate range).
    public var binWidth: Double { (Double(upper) - Double(lower)) / Double(counts.count) }

    /// Adds every finite value; values outside the range count in the end bins.
    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        let bins = counts.count, width = binWidth, low = Double(lower)
        guard width > 0 else {
            total += values.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
            counts[0] = total
            return
        }
        let perUnit = 1 / width
        for v in values where v.isFinite {
            let position = (Double(v) - low) * perUnit
            let bin = position <= 0 ? 0 : Swift.min(Int(position), bins - 1)
            counts[bin] += 1
            total += 1
        }
    }

    /// Adds the finite values of an array (convenience for tests and small tensors).
    public mutating func observe(_ values: [Float]) {
        values.withUnsafeBufferPointer { observe($0) }
    }

    /// The value below which `percent` (0…100) of the counted values lie, interpolated linearly
    /// inside the bin that crosses it (values are taken as spread evenly over their bin); nil
    /// when nothing was counted.
    public func value(atPercentile percent: Double) -> Float? {
        guard total > 0 else { return nil }
        let width = binWidth
        guard width > 0 else { return lower }
        let target = Swift.min(Swift.max(percent, 0), 100) / 100 * Double(total)
        var below = 0.0
        for (bin, count) in counts.enumerated() where count > 0 {
            let next = below + Double(count)
            if next >= target {
                let fraction = Swift.max(0, target - below) / Double(count)
                let value = Double(lower) + (Double(bin) + fraction) * width
                return Float(Swift.min(Swift.max(value, Double(lower)), Double(upper)))
            }
            below = next
        }
        return upper
    }
}
