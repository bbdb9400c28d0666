// oneDNN kernels in f32, bf16 and int8: GEMM 1024³, one CLIP ViT-B/32 MLP layer (50×768 ·
// 768×3072) and a 3×3 64→64 convolution on 56×56, in GFLOP/s (int8: GOP/s), best and median
// wall time, with the ratio to the reference kernel on the same problem in this process.

import EFCore
import EFKernels
import EFOneDNN
import Foundation

struct OneDNNBench {
    var iterations: Int

    func run() throws {
        print("oneDNN \(DNNLEngine.libraryVersion), ISA \(DNNLEngine.effectiveISA), \(Parallel.threadCount) thread(s), "
              + "bf16 \(DNNLEngine.supportsBF16 ? "available" : "unavailable"), int8 exact fast kernels "
              + (DNNLEngine.hasExactInt8Kernels ? "for all weights" : "only for 7-bit weights (no VNNI)"))
        for (m, k, n) in [(1024, 1024, 1024), (50, 768, 3072)] { try gemm(m: m, k: k, n: n) }
        try conv3x3()
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        try Bench.wallTimes(iterations: 1, body).best
    }

    func gemm(m: Int, k: Int, n: Int) throws {
        let name = "\(m)×\(k)·\(k)×\(n)"
        let operations = 2 * Double(m * k * n)
        let a = Tensor(shape: [m, k], scalars: Bench.floats(m * k, seed: 1))
        let b = Tensor(shape: [k, n], scalars: Bench.floats(k * n, seed: 2))
        let reference = try seconds { _ = try Kernels.matMul(a, b) }
        let shape = DNNLMatMulShape(a: [m, k], b: [k, n])
        let out = Bench.Buffer(bytes: m * n * 4)
        for precision in [DNNLPrecision.f32, .bf16] {
            let label = "matmul \(precision) \(name), packed B"
            guard precision == .f32 || DNNLEngine.supportsBF16 else {
                print("\(label): unsupported on \(DNNLEngine.effectiveISA)")
                continue
            }
            let kernel = try DNNLMatMul(shape: shape, b: .constant(b), bias: nil, precision: precision)
            let scratch = Bench.Buffer(bytes: kernel.scratchpadByteCount)
            let times = try a.withUnsafeBytes { pa in
                try Bench.wallTimes(iterations: iterations) {
                    try kernel.execute(a: pa.baseAddress!, b: nil, destination: out.pointer, scratchpad: scratch.pointer)
                }
            }
            Bench.report(label, operations: operations, times: times, referenceSeconds: reference,
                         implementation: kernel.implementation)
        }
        // int8: 7-bit weights so CPUs without VNNI keep oneDNN's fast (non-saturating) kernels.
        let qa = Tensor(shape: [m, k], scalars: Bench.integers(m * k, in: 0...255, seed: 3, as: UInt8.self))
        let qb = Tensor(shape: [k, n], scalars: Bench.integers(k * n, in: -64...64, seed: 4, as: Int8.self))
        let int8Reference = try seconds {
            _ = try Kernels.qlinearMatMul(a: qa, aScale: Tensor(scalar: Float(0.02)), aZeroPoint: Tensor(scalar: UInt8(128)),
                                          b: qb, bScale: Tensor(scalar: Float(0.01)), bZeroPoint: nil,
                                          yScale: Tensor(scalar: Float(0.5)), yZeroPoint: Tensor(scalar: UInt8(128)))
        }
        for output in [DNNLQuantization.Output.u8(scale: 0.5, zeroPoint: 128), .f32] {
            let quantization = DNNLQuantization(sourceScale: 0.02, sourceZeroPoint: 128,
                                                weightScales: [Float](repeating: 0.01, count: n), output: output)
            let kernel = try DNNLQuantizedMatMul(shape: shape, b: .constant(qb), bias: nil, quantization: quantization)
            let scratch = Bench.Buffer(bytes: kernel.scratchpadByteCount)
            let times = try qa.withUnsafeBytes { pa in
                try Bench.wallTimes(iterations: iterations) {
                    try kernel.execute(a: pa.baseAddress!, b: nil, destination: out.pointer, scratchpad: scratch.pointer)
                }
            }
            let outName = output == .f32 ? "f32" : "u8"
            Bench.report("matmul int8→\(outName) \(name), packed B", operations: operations, times: times,
                         referenceSeconds: int8Reference, implementation: kernel.implementation)
        }
    }

    func conv3x3() throws {
        let shape = DNNLConvolutionShape(batch: 1, inChannels: 64, outChannels: 64, inputSpatial: [56, 56], kernel: [3, 3],
                                         padBegin: [1, 1], padEnd: [1, 1])
        let operations = 2 * Double(64 * 64 * 9 * 56 * 56)
        let x = Tensor(shape: [1, 64, 56, 56], scalars: Bench.floats(64 * 56 * 56, seed: 5))
        let w = Tensor(shape: [64, 64, 3, 3], scalars: Bench.floats(64 * 64 * 9, seed: 6))
        let bias = Tensor(shape: [64], scalars: Bench.floats(64, seed: 7))
        let reference = try seconds {
            _ = try Kernels.conv(x, weight: w, bias: bias, ConvParameters(pads: [1, 1, 1, 1]))
        }
        let out = Bench.Buffer(bytes: 64 * 56 * 56 * 4)
        for precision in [DNNLPrecision.f32, .bf16] {
            let label = "conv3×3 64→64 56×56 \(precision) nhwc + bias + relu"
            guard precision == .f32 || DNNLEngine.supportsBF16 else {
                print("\(label): unsupported on \(DNNLEngine.effectiveISA)")
                continue
            }
            let kernel = try DNNLConvolution(shape: shape, layout: .nhwc, weights: w, bias: bias,
                                             epilogue: DNNLEpilogue(activation: .relu), precision: precision)
            let scratch = Bench.Buffer(bytes: kernel.scratchpadByteCount)
            let times = try x.withUnsafeBytes { px in
                try Bench.wallTimes(iterations: iterations) {
                    try kernel.execute(source: px.baseAddress!, destination: out.pointer, scratchpad: scratch.pointer)
                }
            }
            Bench.report(label, operations: operations, times: times, referenceSeconds: reference,
                         implementation: kernel.implementation)
        }
        let qx = Tensor(shape: [1, 64, 56, 56], scalars: Bench.integers(64 * 56 * 56, in: 0...255, seed: 8, as: UInt8.self))
        let qw = Tensor(shape: [64, 64, 3, 3], scalars: Bench.integers(64 * 64 * 9, in: -64...64, seed: 9, as: Int8.self))
        let int8Reference = try seconds {
            _ = try Kernels.qlinearConv(x: qx, xScale: Tensor(scalar: Float(0.02)), xZeroPoint: Tensor(scalar: UInt8(128)),
                                        weight: qw, wScale: Tensor(scalar: Float(0.01)), wZeroPoint: nil,
                                        yScale: Tensor(scalar: Float(0.5)), yZeroPoint: Tensor(scalar: UInt8(128)), bias: nil,
                                        ConvParameters(pads: [1, 1, 1, 1]))
        }
        let kernel = try DNNLQuantizedConvolution(
            shape: shape, layout: .nhwc, weights: qw, bias: nil,
            quantization: DNNLQuantization(sourceScale: 0.02, sourceZeroPoint: 128, weightScales: [0.01],
                                           output: .u8(scale: 0.5, zeroPoint: 128)))
        let scratch = Bench.Buffer(bytes: kernel.scratchpadByteCount)
        let times = try qx.withUnsafeBytes { px in
            try Bench.wallTimes(iterations: iterations) {
                try kernel.execute(source: px.baseAddress!, destination: out.pointer, scratchpad: scratch.pointer)
            }
        }
        Bench.report("conv3×3 64→64 56×56 int8→u8 nhwc", operations: operations, times: times,
                     referenceSeconds: int8Reference, implementation: kernel.implementation)
    }
}
