// Per-tensor range statistics gathered over calibration samples: the mean over samples of
// each sample's minimum and maximum (NNCF's MEAN_MINMAX, the default) and the overall extremes,
// plus whether any sample held a non-finite value (such a tensor is never quantized). The
// histogram estimators (percentile, MSE) read a `ValueHistogram` a second pass fills over the
// overall extremes.

import EFCore

/// How an activation's quantization range is chosen from its statistics.
public enum RangeEstimator: Equatable, Sendable {
    /// Mean over samples of the per-sample min and max (NNCF MEAN_MINMAX).
    case meanMinMax
    /// The overall min and max over all samples.
    case minMax
    /// The `lower` and `upper` percentiles (0…100) of all values of all samples, read from a
    /// 2048-bin histogram (`PercentileRange`).
    case percentile(lower: Double, upper: Double)
    /// The clip range that minimizes the squared quantization error Σ(x − x̂)² over the
    /// histogram of all values (`MSERange`).
    case mse

    /// Symmetric tails: the (100 − p)th and pth percentiles, e.g. 0.01 and 99.99 for p = 99.99.
    public static func symmetricPercentile(_ p: Double) -> RangeEstimator {
        .percentile(lower: 100 - p, upper: p)
    }

    /// Whether the estimator reads a histogram (and so a second calibration pass).
    public var needsHistogram: Bool {
        switch self {
        case .meanMinMax, .minMax: false
        case .percentile, .mse: true
        }
    }

    /// A short name for reports: "mean-minmax", "minmax", "percentile 0.01/99.99", "mse".
    public var name: String {
        switch self {
        case .meanMinMax: "mean-minmax"
        case .minMax: "minmax"
        case .percentile(let lower, let upper): "percentile \(Self.short(lower))/\(Self.short(upper))"
        case .mse: "mse"
        }
    }

    /// `value` rounded to 6 decimals, without a trailing ".0" (100 − 99.99 prints as 0.01).
    private static func short(_ value: Double) -> String {
        let rounded = (value * 1e6).rounded() / 1e6
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : "\(rounded)"
    }
}

/// The observed range of one float tensor over the calibration samples.
public struct RangeStatistics: Codable, Equatable, Sendable {
    public private(set) var samples = 0
    public private(set) var sumOfMinima = 0.0
    public private(set) var sumOfMaxima = 0.0
    public private(set) var minimum = Float.infinity
    public private(set) var maximum = -Float.infinity
    /// Samples in which the tensor held NaN or ±infinity.
    public private(set) var nonFiniteSamples = 0

    public init() {}

    /// Adds one sample's values (float32).
    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        var low = Float.infinity, high = -Float.infinity, finite = true
        for v in values {
            if !v.isFinite { finite = false; continue }
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        samples += 1
        if !finite { nonFiniteSamples += 1 }
        guard low <= high else { return }
        sumOfMinima += Double(low)
        sumOfMaxima += Double(high)
        minimum = Swift.min(minimum, low)
        maximum = Swift.max(maximum, high)
    }

    /// Whether the tensor can be quantized at all: samples seen, all of them finite.
    public var isQuantizable: Bool { samples > 0 && nonFiniteSamples == 0 && minimum <= maximum }

    /// The range `estimator` picks, nil when the tensor cannot be quantized (a non-finite value
    /// in some sample, or no samples). The histogram estimators need `histogram` (filled over
    /// [minimum, maximum]); without one they fall back to the overall min and max.
    public func range(_ estimator: RangeEstimator, histogram: ValueHistogram? = nil) -> (lower: Float, upper: Float)? {
        guard isQuantizable else { return nil }
        switch estimator {
        case .minMax: return (minimum, maximum)
        case .meanMinMax: return (Float(sumOfMinima / Double(samples)), Float(sumOfMaxima / Double(samples)))
        case .percentile(let lower, let upper):
            guard let histogram else { return (minimum, maximum) }
            return PercentileRange.range(histogram, lower: lower, upper: upper) ?? (minimum, maximum)
        case .mse:
            guard let histogram else { return (minimum, maximum) }
            return MSERange.range(histogram) ?? (minimum, maximum)
        }
    }
}
