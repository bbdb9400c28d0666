// Builds a ProfileReport from what the runtime knows statically about each step (node, op,
// kernel, layout, precision, MACs, bytes) and the nanoseconds each step took in each run.

import EFCore
import Foundation

/// Collects per-run, per-step timings of a program and turns them into a `ProfileReport`.
///
/// Describe every step once with `addStep`, then call `recordRun` once per timed run with one
/// sample per step (same order), and `build()`:
///
///     var builder = ProfileBuilder(model: "resnet50", cpu: .current(), threads: 4)
///     for step in program.steps { builder.addStep(.init(name: step.node, op: ..., macs: ...)) }
///     for _ in 0..<runs { try builder.recordRun(stepNanoseconds: times, totalNanoseconds: wall) }
///     let report = try builder.build()
public struct ProfileBuilder: Sendable {
    /// What is known about a step before it runs.
    public struct StepInfo: Sendable, Equatable {
        /// The node's name.
        public var name: String
        /// The core op.
        public var op: String
        /// The kernel it runs on.
        public var kernel: String
        /// The data layout ("nchw", "nhwc", "-", ...).
        public var layout: String
        /// The precision ("f32", "bf16", "int8", ...).
        public var precision: String
        /// Multiply-accumulates per run.
        public var macs: UInt64
        /// Input + output + weight bytes per run.
        public var bytesMoved: UInt64

        /// - Parameters: see the properties; `layout` defaults to "-", `precision` to "f32".
        public init(name: String, op: String, kernel: String, layout: String = "-", precision: String = "f32",
                    macs: UInt64 = 0, bytesMoved: UInt64 = 0) {
            self.name = name
            self.op = op
            self.kernel = kernel
            self.layout = layout
            self.precision = precision
            self.macs = macs
            self.bytesMoved = bytesMoved
        }
    }

    /// The model's name.
    public var model: String
    /// The CPU the runs are on.
    public var cpu: CPUPeak
    /// The thread count of the runs.
    public var threads: Int
    /// The steps described so far, in program order.
    public private(set) var steps: [StepInfo] = []
    /// `samples[run][step]`: nanoseconds of each step in each recorded run.
    public private(set) var samples: [[UInt64]] = []
    /// The wall time of each recorded run, in nanoseconds.
    public private(set) var runTotals: [UInt64] = []

    /// An empty builder.
    public init(model: String, cpu: CPUPeak, threads: Int) {
        self.model = model
        self.cpu = cpu
        self.threads = max(1, threads)
    }

    /// Describes the next step of the program.
    public mutating func addStep(_ info: StepInfo) {
        steps.append(info)
    }

    /// Records one run: one sample per described step, in the same order, and optionally the
    /// run's own wall time (which includes the time between steps); without it the run's time
    /// is the sum of its steps.
    /// - Throws: `EdgeflowError.internalError` when the sample count differs from the step count.
    public mutating func recordRun(stepNanoseconds: [UInt64], totalNanoseconds: UInt64? = nil) throws {
        guard stepNanoseconds.count == steps.count else {
            throw EdgeflowError(.internalError,
                "profile run \(samples.count + 1) has \(stepNanoseconds.count) step times for \(steps.count) steps")
        }
        samples.append(stepNanoseconds)
        runTotals.append(totalNanoseconds ?? stepNanoseconds.reduce(0, &+))
    }

    /// The report: per step the median, min and max over the runs, GFLOP/s from the median and
    /// its percent of the peak of `threads` cores.
    /// - Throws: `EdgeflowError.internalError` when no run was recorded.
    public func build() throws -> ProfileReport {
        guard !samples.isEmpty else {
            throw EdgeflowError(.internalError, "profile of '\(model)' has no recorded run")
        }
        let peak = cpu.peakGFLOPS(threads: threads)
        var profiled: [ProfiledStep] = []
        profiled.reserveCapacity(steps.count)
        for (index, info) in steps.enumerated() {
            let times = samples.map { $0[index] }
            let median = ProfileMath.median(times)
            let gflops = ProfileMath.gflops(macs: info.macs, nanoseconds: median)
            profiled.append(ProfiledStep(
                index: index, name: info.name, op: info.op, kernel: info.kernel, layout: info.layout,
                precision: info.precision, medianNanoseconds: median, minNanoseconds: times.min() ?? 0,
                maxNanoseconds: times.max() ?? 0, macs: info.macs, bytesMoved: info.bytesMoved,
                achievedGFLOPS: gflops, percentOfPeak: peak > 0 ? 100 * gflops / peak : nil))
        }
        return ProfileReport(model: model, cpu: cpu, threads: threads, runs: samples.count,
                             totalMedianNanoseconds: ProfileMath.median(runTotals),
                             totalMinNanoseconds: runTotals.min() ?? 0, totalMaxNanoseconds: runTotals.max() ?? 0,
                             steps: profiled)
    }
}

/// The arithmetic of a profile.
public enum ProfileMath {
    /// The median of `values`: the middle one, or for an even count the mean of the two middle
    /// ones rounded down; 0 for no values.
    public static func median(_ values: [UInt64]) -> UInt64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[mid] }
        let (low, high) = (sorted[mid - 1], sorted[mid])
        return low / 2 + high / 2 + (low % 2 + high % 2) / 2
    }

    /// `2 × macs` FLOP in `nanoseconds`, as GFLOP/s (FLOP per nanosecond); 0 for a zero time.
    public static func gflops(macs: UInt64, nanoseconds: UInt64) -> Double {
        guard nanoseconds > 0 else { return 0 }
        return 2 * Double(macs) / Double(nanoseconds)
    }
}
