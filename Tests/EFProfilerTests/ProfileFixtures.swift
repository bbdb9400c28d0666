// Reports for the profiler tests: a deterministic program of convs, matmuls and elementwise
// steps with plausible times, sizes and a hostile name or two when asked.

import EFProfiler

enum ProfileFixtures {
    static let ops = ["conv", "relu", "add", "matMul", "maxPool", "softmax", "layerNorm", "gelu"]

    /// A report of `steps` steps over 5 runs on a 2 GHz AVX2 CPU with 2 threads; step `i` is
    /// named `names(i)` (default "layer_<i>/op").
    static func report(steps: Int, names: (Int) -> String = { "layer_\($0)/op" }) throws -> ProfileReport {
        let cpu = CPUPeak(modelName: "Test CPU @ 2.00GHz", isaFlags: ["avx2", "fma"], clockMHz: 2000,
                          logicalCPUs: 2)
        var builder = ProfileBuilder(model: "fixture-net", cpu: cpu, threads: 2)
        for i in 0..<steps {
            let op = ops[i % ops.count]
            let heavy = op == "conv" || op == "matMul"
            builder.addStep(.init(name: names(i), op: op, kernel: heavy ? "onednn.\(op)" : "simd.\(op)",
                                  layout: op == "conv" ? "nhwc" : "-", precision: i % 5 == 0 ? "bf16" : "f32",
                                  macs: heavy ? UInt64(150_000 * (i + 1)) : 0,
                                  bytesMoved: UInt64(4_096 * (i + 1))))
        }
        for run in 0..<5 {
            let times = (0..<steps).map { i in UInt64(1_000 + 37 * ((i * 7919) % 101) * 100 + run * 10) }
            try builder.recordRun(stepNanoseconds: times)
        }
        return try builder.build()
    }
}
