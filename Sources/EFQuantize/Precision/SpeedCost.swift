// What the sensitivity search's promotions cost in speed on this CPU: the graph with every
// eligible layer in int8 and the graph the search left are compiled as `edgeflow compile` would
// compile them and run on the same sample in alternating rounds; the report keeps each one's
// median. A figure for this machine only (another CPU has other kernels), measured while
// quantizing, so other load on the machine moves it too.

import EFCompiler
import EFCore
import EFIR
import EFRuntime
import Foundation

/// The measured time of the int8 graph and of the mixed-precision one.
public struct SpeedCost: Codable, Equatable, Sendable {
    /// Median milliseconds per run with every eligible layer in int8 (before the promotions).
    public var int8Milliseconds: Double
    /// Median milliseconds per run with the promotions.
    public var mixedMilliseconds: Double
    /// Timed runs of each graph (after one untimed run).
    public var runs: Int

    /// How many times longer the mixed graph takes.
    public var ratio: Double { mixedMilliseconds / max(int8Milliseconds, 1e-9) }
}

enum SpeedCostMeasurement {
    /// Times `int8` and `mixed` on `sample`, alternating, `runs` times each.
    /// - Throws: the compiler's errors (`.unsupported` for bf16 layers on a CPU without bf16
    ///   kernels) and a run's errors.
    static func measure(int8: Graph, mixed: Graph, sample: [String: Tensor], runs: Int = 5) throws -> SpeedCost {
        let contexts = try [int8, mixed].map { ExecutionContext(program: try Compiler.compile($0).program) }
        for context in contexts { _ = try context.run(sample) }
        var times: [[Double]] = [[], []]
        for _ in 0..<runs {
            for (index, context) in contexts.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try context.run(sample)
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        let medians = times.map { $0.sorted()[$0.count / 2] }
        return SpeedCost(int8Milliseconds: medians[0], mixedMilliseconds: medians[1], runs: runs)
    }
}
