// Chooses the u8 quantization of every calibrated value with its range estimator: the default
// one, or the one an activation_clipping rule gives the layer that produces the value. The
// histogram estimators (percentile, MSE) get a second calibration pass that fills a 2048-bin
// histogram over each value's overall [min, max] from the first. An a16_w8 layer's input gets a
// range of its own: the calibration set's overall extremes, doubled.

import EFCore
import EFIR

/// The ranges of a calibration run, estimator by estimator.
struct ActivationRanges {
    /// u8 quantization per value (only values with a finite range).
    var ranges: [String: ActivationQuantization] = [:]
    /// Values whose calibrated range was not finite.
    var nonFinite: [String] = []
    /// Values whose estimator came from a per-layer rule, with its name.
    var overridden: [String: String] = [:]
    /// The coarse quantization of values an a16_w8 layer reads: the overall extremes over the
    /// calibration set, doubled. Its 16 bits afford what a8_w8 cannot: one bit of headroom for
    /// inputs beyond the calibration set, and no clipping of the set's own outliers.
    var wideRanges: [String: ActivationQuantization] = [:]

    /// - Parameters:
    ///   - estimator: the estimator of every value not in `perValue`.
    ///   - perValue: estimators of single values (activation clipping rules).
    ///   - samples: the calibration samples `run` was observed on (for the histogram pass).
    /// - Throws: errors of running a sample in the histogram pass.
    init(_ graph: Graph, samples: [[String: Tensor]], run: CalibrationRun, estimator: RangeEstimator,
         perValue: [String: RangeEstimator], progress: ((Int, Int) -> Void)?) throws {
        func chosen(_ name: String) -> RangeEstimator { perValue[name] ?? estimator }
        var histogramRanges: [String: (lower: Float, upper: Float)] = [:]
        for (name, statistics) in run.statistics where chosen(name).needsHistogram && statistics.isQuantizable {
            histogramRanges[name] = (statistics.minimum, statistics.maximum)
        }
        let histograms = try CalibrationRun.histograms(graph, samples: samples, ranges: histogramRanges,
                                                       progress: progress)
        for (name, statistics) in run.statistics {
            let method = chosen(name)
            guard let (lower, upper) = statistics.range(method, histogram: histograms[name]) else {
                nonFinite.append(name)
                continue
            }
            ranges[name] = try? ActivationQuantization(lower: lower, upper: upper)
            if let (low, high) = statistics.range(.minMax, histogram: nil) {
                wideRanges[name] = try? ActivationQuantization(lower: 2 * low, upper: 2 * high)
            }
            if let rule = perValue[name], rule != estimator { overridden[name] = rule.name }
        }
        nonFinite.sort()
    }
}
