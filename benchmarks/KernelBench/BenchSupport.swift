// Timing and operand helpers of the kernel benchmark: wall-clock best and median over
// repeated calls, seeded random operands, and one place that formats a result line.

import EFCore
import Foundation

enum Bench {
    /// Wall-clock seconds of each of `iterations` calls to `body`, after one warm-up call.
    static func wallTimes(iterations: Int, _ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        try body()
        var times: [Double] = []
        for _ in 0..<max(1, iterations) {
            let start = now()
            try body()
            times.append(now() - start)
        }
        times.sort()
        return (times[0], times[times.count / 2])
    }

    static func floats(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
    }

    static func integers<T: FixedWidthInteger>(_ count: Int, in range: ClosedRange<Int>, seed: UInt64, as type: T.Type) -> [T] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return T(range.lowerBound + Int((state >> 33) % UInt64(range.count)))
        }
    }

    /// One result line: time, rate (GFLOP/s or GOP/s), ratio to the reference and the implementation.
    static func report(_ name: String, operations: Double, times: (best: Double, median: Double),
                       referenceSeconds: Double?, implementation: String) {
        let unit = name.contains("int8") ? "GOP/s" : "GFLOP/s"
        let ratio = referenceSeconds.map { String(format: "%.1f× reference", $0 / times.best) } ?? "no reference"
        print(String(format: "%@: best %.3f ms (%.1f %@), median %.3f ms (%.1f), %@ [%@]", name, times.best * 1e3,
                     operations / times.best / 1e9, unit, times.median * 1e3, operations / times.median / 1e9,
                     ratio, implementation))
    }

    /// A 64-byte aligned buffer that lives as long as the benchmark of one kernel.
    final class Buffer {
        let pointer: UnsafeMutableRawPointer
        init(bytes: Int) {
            pointer = .allocate(byteCount: max(bytes, 64), alignment: 64)
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 64))
        }
        deinit { pointer.deallocate() }
    }
}
