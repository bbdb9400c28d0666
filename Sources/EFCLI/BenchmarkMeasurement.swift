// The timing loop of `edgeflow benchmark`: the inputs copied in once, warm-up, timed runs, a profiled
// pass per step, and the statistics.

import EFCompiler
import EFCore
import EFIR
import EFRuntime
import Foundation

struct BenchmarkMeasurement {
    /// Wall time of each timed run, milliseconds.
    var latencies: [Double]
    /// Multiply-accumulates of one run (the whole batch).
    var macs: Int
    /// Mean milliseconds per step over the profiled pass (fast engine), slowest first.
    var layers: [BenchmarkResult.Layer]

    /// Times `runner` on `inputs`; `referenceMacs` is what a reference run computes.
    static func measure(_ runner: ModelRunner, inputs: [String: Tensor], referenceMacs: @autoclosure () -> Int,
                        iterations: Int, warmup: Int) throws -> BenchmarkMeasurement {
        switch runner {
        case .reference(let interpreter):
            let latencies = try time(iterations: iterations, warmup: warmup) { _ = try interpreter.run(inputs) }
            return BenchmarkMeasurement(latencies: latencies, macs: referenceMacs(), layers: [])
        case .compiled(let context, _), .emulated(let context, _):
            for (index, value) in context.program.inputs.enumerated() {
                let destination = context.inputBuffer(index)
                inputs[value.name]!.withUnsafeBytes { destination.copyMemory(from: $0) }
            }
            let latencies = try time(iterations: iterations, warmup: warmup) { try context.run() }
            return BenchmarkMeasurement(latencies: latencies, macs: context.program.macs,
                                        layers: try profile(context, runs: min(iterations, 10)))
        }
    }

    private static func time(iterations: Int, warmup: Int, _ body: () throws -> Void) throws -> [Double] {
        for _ in 0..<warmup { try body() }
        var latencies: [Double] = []
        latencies.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return latencies
    }

    private static func profile(_ context: ExecutionContext, runs: Int) throws -> [BenchmarkResult.Layer] {
        let steps = context.program.steps
        var nanoseconds = [UInt64](repeating: 0, count: steps.count)
        try nanoseconds.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<runs { try context.run(stepNanoseconds: buffer) }
        }
        let total = Double(nanoseconds.reduce(0, +))
        return zip(steps, nanoseconds).map { step, time in
            BenchmarkResult.Layer(node: step.info.node, op: step.info.op, kernel: step.info.kernel,
                                  ms: Double(time) / Double(runs) / 1e6, share: total > 0 ? Double(time) / total : 0)
        }.sorted { $0.ms > $1.ms }
    }
}
