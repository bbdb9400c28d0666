// The percentile range estimator: an activation's range is the pair of percentiles of all its
// calibration values (default the 0.01th and 99.99th, symmetric tails), read from the tensor's
// 2048-bin histogram, so a few outliers no longer stretch the u8 scale for everything else.

import EFCore

/// Ranges at chosen percentiles of a histogram.
public enum PercentileRange {
    /// The `lower`th and `upper`th percentiles (0…100) of the values `histogram` counted,
    /// interpolated inside their bins; nil for an empty histogram.
    public static func range(_ histogram: ValueHistogram, lower: Double, upper: Double)
        -> (lower: Float, upper: Float)? {
        guard let low = histogram.value(atPercentile: Swift.min(lower, upper)),
              let high = histogram.value(atPercentile: Swift.max(lower, upper)) else { return nil }
        return (low, high)
    }
}
