// Per-tensor range statistics gathered over calibration samples: the mean over samples of
// each sample's minimum and maximum (NNCF's MEAN_MINMAX, the default) and the overall extremes,
// plus whether any sample held a non-finite value (such a tensor is never quantized).

import EFCore

/// How an activation's quantization range is chosen from its statistics.
public enum RangeEstimator: Equatable, Sendable {
    /// Mean over samples of the per-sample min and max (NNCF MEAN_MINMAX).
    case meanMinMax
    /// The overall min and max over all samples.
    case minMax
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

    /// The range `estimator` picks, nil when the tensor cannot be quantized (a non-finite value
    /// in some sample, or no samples).
    public func range(_ estimator: RangeEstimator) -> (lower: Float, upper: Float)? {
        guard samples > 0, nonFiniteSamples == 0, minimum <= maximum else { return nil }
        switch estimator {
        case .minMax: return (minimum, maximum)
        case .meanMinMax: return (Float(sumOfMinima / Double(samples)), Float(sumOfMaxima / Double(samples)))
        }
    }
}
