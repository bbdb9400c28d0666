// Runs the fp-optimized graph over the calibration samples with the fast compiled program and
// gathers the range of every value the quantizer needs to see (the inputs and outputs of the
// convs and matMuls it may quantize): the graph is compiled once with those values made extra
// outputs, so calibration runs at the runtime's speed rather than the interpreter's.

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
    /// Float outputs of the float graph per sample, for the values asked to be kept.
    public var kept: [[String: Tensor]]

    /// Runs `graph` on every sample and observes `values` (float32 values only; others are
    /// ignored).
    ///
    /// - Parameters:
    ///   - samples: one tensor per graph input each, typed as the graph's inputs.
    ///   - channelAxes: values (among `values`) whose per-channel means to gather, with their
    ///     channel axis.
    ///   - keep: values whose tensors are returned per sample (e.g. the graph outputs).
    ///   - progress: called after each sample with (done, total).
    /// - Throws: `EdgeflowError` from compiling or running (a sample of the wrong type names it).
    public static func observe(_ graph: Graph, samples: [[String: Tensor]], values: [String],
                               channelAxes: [String: Int] = [:], keep: [String] = [],
                               progress: ((Int, Int) -> Void)? = nil) throws -> CalibrationRun {
        let observed = values.filter { graph.types[$0]?.dtype == .float32 && graph.weights[$0] == nil }
        var probe = graph
        var seen = Set(probe.outputs)
        for name in observed + keep where seen.insert(name).inserted { probe.outputs.append(name) }
        let compiled = try Compiler.compile(probe)
        let context = ExecutionContext(program: compiled.program)
        var statistics = [String: RangeStatistics]()
        var means = [String: ChannelMeans]()
        for (name, axis) in channelAxes {
            guard let shape = graph.types[name]?.shape, axis >= 0, axis < shape.count else { continue }
            means[name] = ChannelMeans(axis: axis, channels: shape[axis])
        }
        var kept: [[String: Tensor]] = []
        for (index, sample) in samples.enumerated() {
            let outputs: [String: Tensor]
            do {
                outputs = try context.run(sample)
            } catch let error as EdgeflowError {
                throw error.prefixed("calibration sample \(index + 1)")
            }
            for name in observed {
                guard let tensor = outputs[name] else { continue }
                tensor.withUnsafeBytes { raw in
                    let values = raw.bindMemory(to: Float.self)
                    statistics[name, default: RangeStatistics()].observe(values)
                    means[name]?.observe(values, shape: tensor.shape)
                }
            }
            if !keep.isEmpty { kept.append(outputs.filter { keep.contains($0.key) }) }
            progress?(index + 1, samples.count)
        }
        return CalibrationRun(statistics: statistics, channelMeans: means, kept: kept)
    }
}
