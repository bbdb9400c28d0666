// Runs the fp-optimized graph over the calibration samples with the fast compiled program and
// gathers the range of every value the quantizer needs to see (the inputs and outputs of the
// convs and matMuls it may quantize): the graph is compiled once with those values made extra
// outputs, so calibration runs at the runtime's speed rather than the interpreter's. A second
// pass (`histograms`) fills fixed-range histograms for the percentile and MSE estimators.

import EFCore
import EFIR
import EFCompiler
import EFRuntime

/// Ranges observed over a calibration set.
public struct CalibrationRun: Sendable {
    /// Statistics per value name.
    public var statistics: [String: RangeStatistics]
    /// Per-channel means of the values asked for.
    public var channelMeans: [String: ChannelMeans]
    /// Per-channel max |x| of the values asked for.
    public var channelPeaks: [String: ChannelPeaks] = [:]
    /// Float outputs of the float graph per sample, for the values asked to be kept.
    public var kept: [[String: Tensor]]

    /// Runs `graph` on every sample and observes `values` (float32 values only; others are
    /// ignored).
    ///
    /// - Parameters:
    ///   - samples: one tensor per graph input each, typed as the graph's inputs.
    ///   - channelAxes: values (among `values`) whose per-channel means to gather, with their
    ///     channel axis.
    ///   - peakAxes: values (among `values`) whose per-channel max |x| to gather, with their
    ///     channel axis.
    ///   - keep: values whose tensors are returned per sample (e.g. the graph outputs).
    ///   - progress: called after each sample with (done, total).
    /// - Throws: `EdgeflowError` from compiling or running (a sample of the wrong type names it).
    public static func observe(_ graph: Graph, samples: [[String: Tensor]], values: [String],
                               channelAxes: [String: Int] = [:], peakAxes: [String: Int] = [:],
                               keep: [String] = [], progress: ((Int, Int) -> Void)? = nil) throws -> CalibrationRun {
        let observed = floatValues(values, of: graph)
        var statistics = [String: RangeStatistics]()
        var means = [String: ChannelMeans]()
        var peaks = [String: ChannelPeaks]()
        for (name, axis) in channelAxes {
            guard let shape = graph.types[name]?.shape, axis >= 0, axis < shape.count else { continue }
            means[name] = ChannelMeans(axis: axis, channels: shape[axis])
        }
        for (name, axis) in peakAxes {
            guard let shape = graph.types[name]?.shape, axis >= 0, axis < shape.count else { continue }
            peaks[name] = ChannelPeaks(axis: axis, channels: shape[axis])
        }
        var kept: [[String: Tensor]] = []
        try forEachSample(graph, samples, observing: observed + keep, progress: progress) { outputs in
            for name in observed {
                guard let tensor = outputs[name] else { continue }
                tensor.withUnsafeBytes { raw in
                    let values = raw.bindMemory(to: Float.self)
                    statistics[name, default: RangeStatistics()].observe(values)
                    means[name]?.observe(values, shape: tensor.shape)
                    peaks[name]?.observe(values, shape: tensor.shape)
                }
            }
            if !keep.isEmpty { kept.append(outputs.filter { keep.contains($0.key) }) }
        }
        return CalibrationRun(statistics: statistics, channelMeans: means, channelPeaks: peaks, kept: kept)
    }

    /// The second pass: runs `graph` on every sample again and counts each value of `ranges`
    /// in a `ValueHistogram` of `bins` bins over its range (the overall min and max the first
    /// pass saw, so every value lands in a bin).
    /// - Throws: as `observe`.
    public static func histograms(_ graph: Graph, samples: [[String: Tensor]],
                                  ranges: [String: (lower: Float, upper: Float)],
                                  bins: Int = ValueHistogram.defaultBins,
                                  progress: ((Int, Int) -> Void)? = nil) throws -> [String: ValueHistogram] {
        let observed = floatValues(ranges.keys.sorted(), of: graph)
        var histograms = [String: ValueHistogram]()
        for name in observed {
            guard let range = ranges[name] else { continue }
            histograms[name] = ValueHistogram(lower: range.lower, upper: range.upper, bins: bins)
        }
        guard !histograms.isEmpty else { return [:] }
        try forEachSample(graph, samples, observing: observed, progress: progress) { outputs in
            for name in observed {
                guard let tensor = outputs[name] else { continue }
                tensor.withUnsafeBytes { histograms[name]?.observe($0.bindMemory(to: Float.self)) }
            }
        }
        return histograms
    }

    /// The float32 activations among `values` (weights and other dtypes dropped).
    private static func floatValues(_ values: [String], of graph: Graph) -> [String] {
        values.filter { graph.types[$0]?.dtype == .float32 && graph.weights[$0] == nil }
    }

    /// Compiles `graph` with `values` made extra outputs and calls `body` with each sample's outputs.
    private static func forEachSample(_ graph: Graph, _ samples: [[String: Tensor]], observing values: [String],
                                      progress: ((Int, Int) -> Void)?,
                                      _ body: ([String: Tensor]) throws -> Void) throws {
        var probe = graph
        var seen = Set(probe.outputs)
        for name in values where seen.insert(name).inserted { probe.outputs.append(name) }
        let compiled = try Compiler.compile(probe)
        let context = ExecutionContext(program: compiled.program)
        for (index, sample) in samples.enumerated() {
            let outputs: [String: Tensor]
            do {
                outputs = try context.run(sample)
            } catch let error as EdgeflowError {
                throw error.prefixed("calibration sample \(index + 1)")
            }
            try body(outputs)
            progress?(index + 1, samples.count)
        }
    }
}
