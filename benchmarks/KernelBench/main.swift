// Throughput of the reference float GEMM (MatMul) and convolution on the conv layers of a
// 224×224 ResNet-50, in GFLOP/s of thread CPU time on one core, then the oneDNN kernels
// (OneDNNBench.swift). A benchmark, not a test:
//   swift run -c release edgeflow-kernel-bench [--threads N] [--iterations K] [--skip-reference]
//   edgeflow-kernel-bench --check     (oneDNN against the reference kernels; exit 1 on a mismatch)
//   edgeflow-kernel-bench --check-int32  (oneDNN's s32 results against the int8 contract, Int32Check.swift)
//   edgeflow-kernel-bench --int8  (exact int8 GEMM + requantization against oneDNN f32, Int8Bench.swift)
//   edgeflow-kernel-bench --int8-conv  (blocked int8 convs part by part, Int8ConvBench.swift; AVX2 CPUs)

import EFCore
import EFKernels
import Foundation

struct KernelBench {
    /// CPU time of this thread spent in `body`: on a shared machine it is steadier than wall time.
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        try body()
        return now() - start
    }

    private func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
    }

    func matMulThroughput() throws {
        for size in [256, 512, 1024] {
            let a = Tensor(shape: [size, size], scalars: random(size * size, seed: 1))
            let b = Tensor(shape: [size, size], scalars: random(size * size, seed: 2))
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, try seconds { _ = try Kernels.matMul(a, b) }) }
            let gflops = 2 * Double(size * size * size) / best / 1e9
            print(String(format: "matMul %d³ float32: %.2f ms, %.1f GFLOP/s", size, best * 1e3, gflops))
        }
    }

    /// (in channels, out channels, kernel, stride, input size, how many times ResNet-50 has it).
    private let resnet50Convs: [(Int, Int, Int, Int, Int, Int)] = [
        (3, 64, 7, 2, 224, 1),
        (64, 64, 1, 1, 56, 1), (64, 64, 3, 1, 56, 3), (64, 256, 1, 1, 56, 4), (256, 64, 1, 1, 56, 2),
        (256, 128, 1, 1, 56, 1), (128, 128, 3, 2, 56, 1), (128, 512, 1, 1, 28, 4), (256, 512, 1, 2, 56, 1),
        (512, 128, 1, 1, 28, 3), (128, 128, 3, 1, 28, 3),
        (512, 256, 1, 1, 28, 1), (256, 256, 3, 2, 28, 1), (256, 1024, 1, 1, 14, 6), (512, 1024, 1, 2, 28, 1),
        (1024, 256, 1, 1, 14, 5), (256, 256, 3, 1, 14, 5),
        (1024, 512, 1, 1, 14, 1), (512, 512, 3, 2, 14, 1), (512, 2048, 1, 1, 7, 3), (1024, 2048, 1, 2, 14, 1),
        (2048, 512, 1, 1, 7, 2), (512, 512, 3, 1, 7, 2),
    ]

    func resNet50ConvLayersThroughput() throws {
        var totalSeconds = 0.0, totalMacs = 0.0
        for (index, (c, m, k, s, size, repeats)) in resnet50Convs.enumerated() {
            let x = Tensor(shape: [1, c, size, size], scalars: random(c * size * size, seed: UInt64(index)))
            let w = Tensor(shape: [m, c, k, k], scalars: random(m * c * k * k, seed: UInt64(index + 100)))
            let bias = Tensor(shape: [m], scalars: random(m, seed: 7))
            let params = ConvParameters(strides: [s, s], pads: [k / 2, k / 2, k / 2, k / 2])
            var y = x
            let time = try seconds { y = try Kernels.conv(x, weight: w, bias: bias, params) }
            let out = y.shape[2] * y.shape[3]
            totalMacs += Double(repeats * m * c * k * k * out)
            totalSeconds += time * Double(repeats)
        }
        print(String(format: "ResNet-50 224×224 convolutions: %.2f GMAC in %.2f s, %.1f GFLOP/s",
                     totalMacs / 1e9, totalSeconds, 2 * totalMacs / totalSeconds / 1e9))
        let depthwise = Tensor(shape: [1, 144, 56, 56], scalars: random(144 * 56 * 56, seed: 3))
        let dwWeight = Tensor(shape: [144, 1, 3, 3], scalars: random(144 * 9, seed: 4))
        var dwTime = Double.infinity
        for _ in 0..<3 {
            dwTime = min(dwTime, try seconds {
                _ = try Kernels.conv(depthwise, weight: dwWeight, bias: nil,
                                     ConvParameters(pads: [1, 1, 1, 1], group: 144))
            })
        }
        print(String(format: "depthwise 3×3, 144×56×56: %.2f ms, %.1f GFLOP/s",
                     dwTime * 1e3, 2 * Double(144 * 9 * 56 * 56) / dwTime / 1e9))
    }
}

/// The value after `flag` in the arguments, as an Int.
func intOption(_ flag: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count,
          let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

Parallel.setThreadCount(intOption("--threads", default: 1))
if CommandLine.arguments.contains("--check") {
    var check = SelfCheck()
    exit(try check.run() ? 0 : 1)
}
if CommandLine.arguments.contains("--int8") {
    try Int8Bench(iterations: intOption("--iterations", default: 20)).run()
    exit(0)
}
if CommandLine.arguments.contains("--int8-conv") {
    try Int8ConvBench(iterations: intOption("--iterations", default: 20)).run()
    exit(0)
}
if CommandLine.arguments.contains("--check-int32") {
    var check = Int32Check()
    exit(try check.run() ? 0 : 1)
}
if !CommandLine.arguments.contains("--skip-reference") {
    let bench = KernelBench()
    try bench.matMulThroughput()
    try bench.resNet50ConvLayersThroughput()
}
try OneDNNBench(iterations: intOption("--iterations", default: 20)).run()
