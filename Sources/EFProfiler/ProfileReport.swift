// The per-layer profile of a compiled program: what ran on which kernel, in what layout and
// precision, how long each step took over several runs, and how close it came to the CPU's peak.

import Foundation

/// One step of a profiled program (one node, or a fused group named after its main node).
public struct ProfiledStep: Codable, Sendable, Equatable {
    /// Position in the program, from 0.
    public var index: Int
    /// The node's name (from the model: untrusted text).
    public var name: String
    /// The core op, e.g. "conv", "matMul", "add".
    public var op: String
    /// The kernel the step ran on, e.g. "onednn.conv", "simd.add", "reference".
    public var kernel: String
    /// The data layout, e.g. "nchw", "nhwc", or "-" when it does not apply.
    public var layout: String
    /// The arithmetic precision, e.g. "f32", "bf16", "int8".
    public var precision: String
    /// Median wall time of the step over the runs, in nanoseconds.
    public var medianNanoseconds: UInt64
    /// Fastest run of the step, in nanoseconds.
    public var minNanoseconds: UInt64
    /// Slowest run of the step, in nanoseconds.
    public var maxNanoseconds: UInt64
    /// Multiply-accumulates of one run (0 for steps without any).
    public var macs: UInt64
    /// Bytes read and written by one run: inputs + outputs + weights.
    public var bytesMoved: UInt64
    /// `2 × macs` FLOP over the median time, in GFLOP/s (0 when the time is 0).
    public var achievedGFLOPS: Double
    /// `achievedGFLOPS` as a percentage of the peak of the report's thread count; nil when the
    /// peak is unknown.
    public var percentOfPeak: Double?

    /// A step with every field given; see `ProfileBuilder` for one computed from samples.
    public init(index: Int, name: String, op: String, kernel: String, layout: String, precision: String,
                medianNanoseconds: UInt64, minNanoseconds: UInt64, maxNanoseconds: UInt64,
                macs: UInt64, bytesMoved: UInt64, achievedGFLOPS: Double, percentOfPeak: Double?) {
        self.index = index
        self.name = name
        self.op = op
        self.kernel = kernel
        self.layout = layout
        self.precision = precision
        self.medianNanoseconds = medianNanoseconds
        self.minNanoseconds = minNanoseconds
        self.maxNanoseconds = maxNanoseconds
        self.macs = macs
        self.bytesMoved = bytesMoved
        self.achievedGFLOPS = achievedGFLOPS
        self.percentOfPeak = percentOfPeak
    }
}

/// A per-layer profile: the model, the CPU, the run settings, the whole-program time and
/// every step. Encode it with `jsonData()` (`--json`) or render it with `ProfileHTML.render`.
public struct ProfileReport: Codable, Sendable, Equatable {
    /// The model's name (untrusted text).
    public var model: String
    /// The CPU the profile was taken on.
    public var cpu: CPUPeak
    /// The CPU's estimated single-core fp32 peak, GFLOP/s (`cpu.coreGFLOPS`, stored for JSON readers).
    public var corePeakGFLOPS: Double
    /// The thread count the program ran with.
    public var threads: Int
    /// How many timed runs the medians are over.
    public var runs: Int
    /// Median wall time of a whole run, in nanoseconds.
    public var totalMedianNanoseconds: UInt64
    /// Fastest whole run, in nanoseconds.
    public var totalMinNanoseconds: UInt64
    /// Slowest whole run, in nanoseconds.
    public var totalMaxNanoseconds: UInt64
    /// Every step, in program order.
    public var steps: [ProfiledStep]

    /// A report with every field given; `corePeakGFLOPS` is taken from `cpu`.
    public init(model: String, cpu: CPUPeak, threads: Int, runs: Int, totalMedianNanoseconds: UInt64,
                totalMinNanoseconds: UInt64, totalMaxNanoseconds: UInt64, steps: [ProfiledStep]) {
        self.model = model
        self.cpu = cpu
        self.corePeakGFLOPS = cpu.coreGFLOPS
        self.threads = threads
        self.runs = runs
        self.totalMedianNanoseconds = totalMedianNanoseconds
        self.totalMinNanoseconds = totalMinNanoseconds
        self.totalMaxNanoseconds = totalMaxNanoseconds
        self.steps = steps
    }

    /// The estimated peak of `threads` cores, GFLOP/s.
    public var peakGFLOPS: Double { corePeakGFLOPS * Double(max(1, threads)) }

    /// Multiply-accumulates of one run, over all steps.
    public var totalMACs: UInt64 { steps.reduce(0) { $0 &+ $1.macs } }

    /// `2 × totalMACs` over the median run time, GFLOP/s.
    public var achievedGFLOPS: Double { ProfileMath.gflops(macs: totalMACs, nanoseconds: totalMedianNanoseconds) }

    /// The sum of the steps' median times (the rest of a run's time is overhead between steps).
    public var stepsMedianNanoseconds: UInt64 { steps.reduce(0) { $0 &+ $1.medianNanoseconds } }

    /// The `count` slowest steps by median time, slowest first (ties in program order).
    public func slowestSteps(_ count: Int) -> [ProfiledStep] {
        let sorted = steps.sorted {
            $0.medianNanoseconds != $1.medianNanoseconds ? $0.medianNanoseconds > $1.medianNanoseconds
                : $0.index < $1.index
        }
        return Array(sorted.prefix(max(0, count)))
    }

    /// The report as pretty-printed JSON with sorted keys (the `--json` output).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes a report written by `jsonData()`.
    public static func decode(json: Data) throws -> ProfileReport {
        try JSONDecoder().decode(ProfileReport.self, from: json)
    }
}
