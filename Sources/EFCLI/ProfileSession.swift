// The measuring half of `edgeflow profile`: inputs copied into one execution context, warm-up
// runs, timed runs with per-step wall times, the ProfileReport built from the program's step
// descriptions, and the text summary printed without --json.

import EFCore
import EFKernels
import EFProfiler
import EFRuntime
import EdgeflowRuntime
import Foundation

enum ProfileSession {
    /// Runs `model` `warmup` times untimed, then `runs` times with step timings.
    /// - Throws: a kernel's error naming the step; `.internalError` when the inputs do not
    ///   match the program's buffers (they were checked against the declared inputs).
    static func measure(_ model: EdgeflowModel, inputs: [String: Tensor], runs: Int,
                        warmup: Int) throws -> ProfileReport {
        var builder = ProfileBuilder(model: model.name, cpu: CPUPeak.current(), threads: Parallel.threadCount)
        for step in model.program.steps {
            let info = step.info
            builder.addStep(ProfileBuilder.StepInfo(
                name: info.node, op: info.op, kernel: info.kernel, layout: info.layout, precision: info.precision,
                macs: UInt64(max(0, info.macs)), bytesMoved: UInt64(max(0, info.bytesMoved))))
        }
        try model.withContext { context in
            try fill(context, with: inputs)
            for _ in 0..<warmup { try context.run() }
            var times = [UInt64](repeating: 0, count: context.program.steps.count)
            for _ in 0..<runs {
                for index in times.indices { times[index] = 0 }
                let start = DispatchTime.now().uptimeNanoseconds
                try times.withUnsafeMutableBufferPointer { try context.run(stepNanoseconds: $0) }
                let total = DispatchTime.now().uptimeNanoseconds - start
                try builder.recordRun(stepNanoseconds: times, totalNanoseconds: total)
            }
        }
        return try builder.build()
    }

    /// Copies each input's bytes into the context's input buffer.
    private static func fill(_ context: ExecutionContext, with inputs: [String: Tensor]) throws {
        for (index, value) in context.program.inputs.enumerated() {
            let destination = context.inputBuffer(index)
            guard let tensor = inputs[value.name], tensor.byteCount == destination.count else {
                throw EdgeflowError(.internalError, "input '\(value.name)' does not fit the program's input buffer")
            }
            tensor.withUnsafeBytes { source in
                if let base = source.baseAddress, source.count > 0 {
                    destination.baseAddress!.copyMemory(from: base, byteCount: source.count)
                }
            }
        }
    }

    /// The text summary: the run settings, the whole-run median, GFLOP/s against the peak and
    /// the five slowest steps.
    static func summary(_ report: ProfileReport, warmup: Int, file path: String) -> String {
        var lines = ["profile of '\(report.model)': \(report.steps.count) steps, \(report.runs) timed runs after "
            + "\(warmup) warm-up, \(report.threads) thread\(report.threads == 1 ? "" : "s")"]
        lines.append("run time: median \(duration(report.totalMedianNanoseconds)) "
            + "(min \(duration(report.totalMinNanoseconds)), max \(duration(report.totalMaxNanoseconds))); "
            + "steps alone \(duration(report.stepsMedianNanoseconds))")
        let achieved = String(format: "%.2f GFLOP/s", report.achievedGFLOPS)
        let peak = report.peakGFLOPS
        let ofPeak = peak > 0
            ? String(format: " of %.1f GFLOP/s peak (%.1f %%)", peak, 100 * report.achievedGFLOPS / peak)
            : " (peak unknown: /proc/cpuinfo gives no clock)"
        lines.append("compute: \(CommandSupport.grouped(Int(clamping: report.totalMACs))) MACs, \(achieved)\(ofPeak) "
            + "on \(report.cpu.modelName), \(report.cpu.isaSummary)")
        let slowest = report.slowestSteps(5)
        if !slowest.isEmpty {
            lines.append("slowest steps (median):")
            let total = max(1, report.stepsMedianNanoseconds)
            let width = max(1, min(40, slowest.map(\.name.count).max() ?? 0))
            for step in slowest {
                let share = String(format: "%5.1f %%", 100 * Double(step.medianNanoseconds) / Double(total))
                let name = step.name.count > width ? String(step.name.prefix(width - 1)) + "…"
                    : step.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let rate = step.macs > 0 ? String(format: "  %.2f GFLOP/s", step.achievedGFLOPS) : ""
                lines.append("  \(duration(step.medianNanoseconds).leftPadded(10))  \(share)  \(name)  \(step.op)  "
                    + "[\(step.kernel), \(step.layout), \(step.precision)]\(rate)")
            }
        }
        lines.append("report: \(path)")
        return lines.joined(separator: "\n")
    }

    /// Nanoseconds for people: `850 ns`, `12.4 µs`, `3.210 ms`, `1.50 s`.
    static func duration(_ nanoseconds: UInt64) -> String {
        let value = Double(nanoseconds)
        switch nanoseconds {
        case ..<1_000: return "\(nanoseconds) ns"
        case ..<1_000_000: return String(format: "%.1f µs", value / 1e3)
        case ..<1_000_000_000: return String(format: "%.3f ms", value / 1e6)
        default: return String(format: "%.2f s", value / 1e9)
        }
    }
}

private extension String {
    /// The string right-aligned in `width` characters (unchanged when longer).
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
