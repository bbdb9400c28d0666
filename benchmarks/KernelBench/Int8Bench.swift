// The exact int8 GEMM of the runtime against oneDNN's f32 GEMM at the same shape, measured side
// by side in one process: oneDNN u8·s8 → s32 plus Edgeflow's SIMD requantization (the runtime's
// path where DNNLInt32Products trusts oneDNN), the Swift SIMD GEMM plus the same requantization
// (its path elsewhere: the baseline Swift build, and on AVX2 CPUs its AVX2 Swift build and the
// intrinsics micro-kernel the runtime uses there), and oneDNN f32 with packed B. Prints the CPU,
// the ISA and the ratios.
//   edgeflow-kernel-bench --int8 [--threads N] [--iterations K]

import EFCore
import EFKernels
import EFKernelsAVX2
import EFOneDNN
import Foundation

private typealias Base = EFKernels.FastKernels

struct Int8Bench {
    var iterations: Int

    static var cpuName: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        let name = line.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) }
        return name ?? "unknown CPU"
    }

    func run() throws {
        print("int8 GEMM: \(Self.cpuName), oneDNN \(DNNLEngine.libraryVersion) ISA \(DNNLEngine.effectiveISA), "
              + "\(Parallel.threadCount) thread(s); oneDNN s32 exact here: \(DNNLInt32Products.isExactHere)")
        for (m, k, n) in [(1024, 1024, 1024), (50, 768, 3072), (3136, 576, 64)] { try gemm(m: m, k: k, n: n) }
    }

    private func gemm(m: Int, k: Int, n: Int) throws {
        let name = "\(m)×\(k)·\(k)×\(n)", operations = 2 * Double(m * k * n)
        let a = Tensor(shape: [m, k], scalars: Bench.integers(m * k, in: 0...255, seed: 1, as: UInt8.self))
        let b = Tensor(shape: [k, n], scalars: Bench.integers(k * n, in: -128...127, seed: 2, as: Int8.self))
        let af = Tensor(shape: [m, k], scalars: Bench.floats(m * k, seed: 3))
        let bf = Tensor(shape: [k, n], scalars: Bench.floats(k * n, seed: 4))
        let multipliers = [Float](repeating: 1.0 / 4096, count: n)
        let bias = (0..<n).map { Int32($0) - 128 * Int32(n) }
        let acc = Bench.Buffer(bytes: m * n * 4), out = Bench.Buffer(bytes: m * n * 4)
        let y = out.pointer.assumingMemoryBound(to: UInt8.self)
        let accumulators = acc.pointer.assumingMemoryBound(to: Int32.self)
        func requantize() throws {
            try Base.requantize(accumulators, bias: bias, multipliers: multipliers, channels: n, inner: 1,
                                count: m * n, output: Base.RequantizeOutput(zeroPoint: 128), into: y)
        }
        let f32 = try DNNLMatMul(shape: DNNLMatMulShape(a: [m, k], b: [k, n]), b: .constant(bf), bias: nil)
        let f32Scratch = Bench.Buffer(bytes: f32.scratchpadByteCount)
        let f32Times = try af.withUnsafeBytes { pa in
            try Bench.wallTimes(iterations: iterations) {
                try f32.execute(a: pa.baseAddress!, b: nil, destination: out.pointer, scratchpad: f32Scratch.pointer)
            }
        }
        report("f32 oneDNN [\(f32.implementation)]", name, operations, f32Times.best, f32Times.best)
        if DNNLInt32Products.isExactHere {
            let s32 = try DNNLInt8MatMulS32(shape: DNNLMatMulShape(a: [m, k], b: [k, n]), weights: b)
            let scratch = Bench.Buffer(bytes: s32.scratchpadByteCount)
            let times = try a.withUnsafeBytes { pa in
                try Bench.wallTimes(iterations: iterations) {
                    try s32.execute(a: pa.baseAddress!, destination: acc.pointer, scratchpad: scratch.pointer)
                    try requantize()
                }
            }
            report("qu8 oneDNN s32 [\(s32.implementation)] + simd requant", name, operations, times.best, f32Times.best)
        }
        let packed = try EFKernels.Int8PackedWeights(b)
        let simdTimes = try a.withUnsafeBufferPointer(as: UInt8.self) { pa in
            try Bench.wallTimes(iterations: max(1, iterations / 4)) {
                try Base.int8GEMM(pa.baseAddress!, rowStride: k, rows: m, weights: packed, into: accumulators,
                                  outputRowStride: n)
                try requantize()
            }
        }
        report("qu8 simd gemm sse2 + simd requant", name, operations, simdTimes.best, f32Times.best)
        guard CPUFeatures.current.missing(SIMDBuild.avx2.features).isEmpty else { return }
        let packed2 = try EFKernelsAVX2.Int8PackedWeights(b)
        for (label, kernel) in [("qu8 simd gemm avx2 (Swift)", EFKernelsAVX2.FastKernels.int8GEMM),
                                ("qu8 gemm avx2 intrinsics", EFKernelsAVX2.FastKernels.int8GEMMIntrinsics)] {
            let times = try a.withUnsafeBufferPointer(as: UInt8.self) { pa in
                try Bench.wallTimes(iterations: max(1, iterations / 4)) {
                    try kernel(pa.baseAddress!, k, m, packed2, accumulators, n)
                    try requantize()
                }
            }
            report(label + " + simd requant", name, operations, times.best, f32Times.best)
        }
    }

    private func report(_ kernel: String, _ shape: String, _ operations: Double, _ best: Double, _ f32Best: Double) {
        print(String(format: "  %@ %@: best %.3f ms, %.1f GOP/s, %.2f× oneDNN f32", shape, kernel, best * 1e3,
                     operations / best / 1e9, f32Best / best))
    }
}
