// What `edgeflow benchmark` reports, as text and JSON, with the machine's nominal peak
// (EFProfiler's `CPUPeak`, as `edgeflow profile` reports it).

import EFCore
import EFProfiler
import Foundation

struct BenchmarkResult: Encodable {
    struct Latency: Encodable {
        var p50: Double
        var p90: Double
        var mean: Double
        var min: Double
    }
    struct Layer: Encodable {
        var node: String
        var op: String
        var kernel: String
        var ms: Double
        var share: Double
    }

    var archive: String
    var graph: String
    var engine: String
    var threads: Int
    var batch: Int
    var iterations: Int
    var warmup: Int
    var latencyMs: Latency
    /// Samples per second: batch ÷ mean latency.
    var throughputPerSecond: Double
    var macsPerSample: Int
    var achievedGflops: Double
    var peakGflops: Double
    var peakFraction: Double
    var isa: String
    var slowestLayers: [Layer]
    /// What the runs were fed: "synthetic (…)" or the --input arguments.
    var inputs = "synthetic"

    init(archive: String, graph: String, engine: String, threads: Int, batch: Int, iterations: Int,
         warmup: Int, measurement: BenchmarkMeasurement) {
        let sorted = measurement.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        let mean = sorted.reduce(0, +) / Double(sorted.count)
        self.archive = archive
        self.graph = graph
        self.engine = engine
        self.threads = threads
        self.batch = batch
        self.iterations = iterations
        self.warmup = warmup
        latencyMs = Latency(p50: percentile(0.5), p90: percentile(0.9), mean: mean, min: sorted[0])
        throughputPerSecond = Double(batch) / (mean / 1000)
        macsPerSample = measurement.macs / max(batch, 1)
        achievedGflops = 2 * Double(measurement.macs) / (mean / 1000) / 1e9
        let machine = CPUPeak.current()
        isa = Self.isaName(machine)
        peakGflops = machine.coreGFLOPS * Double(threads)
        peakFraction = peakGflops > 0 ? achievedGflops / peakGflops : 0
        slowestLayers = Array(measurement.layers.prefix(10))
    }

    /// "avx512 @ 2600 MHz": the vector width the nominal peak counts, and the clock it assumes.
    static func isaName(_ cpu: CPUPeak) -> String {
        let width = [64: "avx512", 32: "avx2+fma"][cpu.flopsPerCycle] ?? "sse"
        return cpu.clockMHz > 0 ? "\(width) @ \(Int(cpu.clockMHz)) MHz" : "unknown"
    }

    var text: String {
        var lines = [
            "\(graph) (\(archive)): \(engine) engine, \(threads) thread(s), batch \(batch), "
                + "\(iterations) runs after \(warmup) warm-up",
            String(format: "latency  p50 %.2f ms   p90 %.2f ms   mean %.2f ms   min %.2f ms",
                   latencyMs.p50, latencyMs.p90, latencyMs.mean, latencyMs.min),
            "inputs  \(inputs)",
            String(format: "throughput  %.1f samples/s", throughputPerSecond),
            String(format: "compute  %.2f GMAC/sample, %.1f GFLOP/s achieved = %.0f%% of the nominal %.0f GFLOP/s peak",
                   Double(macsPerSample) / 1e9, achievedGflops, peakFraction * 100, peakGflops) + " (\(isa))",
        ]
        if !slowestLayers.isEmpty {
            lines.append("slowest layers:")
            let width = slowestLayers.map(\.node.count).max() ?? 0
            for layer in slowestLayers {
                lines.append(String(format: "  %7.3f ms %5.1f%%  ", layer.ms, layer.share * 100)
                    + layer.node.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  \(layer.op)  \(layer.kernel)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
