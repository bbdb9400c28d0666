// `edgeflow-kernel-bench --check`: a quick correctness check of the oneDNN kernels against the
// reference kernels, meant for a fresh process with a capped ISA (ONEDNN_MAX_CPU_ISA=AVX2 is
// read once at library init, so a test runs this binary as a child process). Prints the ISA
// and one line per check; exits 1 when any result is off.

import EFCore
import EFKernels
import EFOneDNN
import Foundation

struct SelfCheck {
    private var failures = 0

    mutating func run() throws -> Bool {
        print("isa \(DNNLEngine.effectiveISA)")
        try floatConvolution()
        for sevenBit in [false, true] { try int8Convolution(sevenBit: sevenBit) }
        try floatMatMul()
        return failures == 0
    }

    private mutating func record(_ name: String, _ ok: Bool, _ detail: String) {
        print("\(ok ? "ok" : "FAILED") \(name): \(detail)")
        if !ok { failures += 1 }
    }

    private mutating func floatConvolution() throws {
        let shape = DNNLConvolutionShape(batch: 2, inChannels: 8, outChannels: 12, inputSpatial: [9, 7], kernel: [3, 3],
                                         strides: [2, 1], padBegin: [1, 1], padEnd: [1, 1])
        let x = Tensor(shape: [2, 8, 9, 7], scalars: Bench.floats(2 * 8 * 63, seed: 1))
        let w = Tensor(shape: [12, 8, 3, 3], scalars: Bench.floats(12 * 72, seed: 2))
        let expected = try Kernels.unary(.relu, try Kernels.conv(x, weight: w, bias: nil,
                                                                  ConvParameters(strides: [2, 1], pads: [1, 1, 1, 1])))
        let kernel = try DNNLConvolution(shape: shape, layout: .nchw, weights: w, bias: nil,
                                         epilogue: DNNLEpilogue(activation: .relu))
        let actual = try execute(x, outputShape: kernel.outputShape, dtype: .float32, scratch: kernel.scratchpadByteCount) {
            try kernel.execute(source: $0, destination: $1, scratchpad: $2)
        }
        let difference = zip(actual.scalars(as: Float.self), expected.scalars(as: Float.self)).map { abs($0 - $1) }.max() ?? 0
        record("conv f32 [\(kernel.implementation)]", difference <= 1e-4, "max difference \(difference)")
    }

    private mutating func int8Convolution(sevenBit: Bool) throws {
        let shape = DNNLConvolutionShape(batch: 1, inChannels: 16, outChannels: 8, inputSpatial: [6, 6], kernel: [3, 3],
                                         padBegin: [1, 1], padEnd: [1, 1])
        let x = Tensor(shape: [1, 16, 6, 6], scalars: Bench.integers(16 * 36, in: 0...255, seed: 3, as: UInt8.self))
        let w = Tensor(shape: [8, 16, 3, 3], scalars: Bench.integers(8 * 144, in: sevenBit ? -64...64 : -128...127, seed: 4,
                                                                     as: Int8.self))
        let expected = try Kernels.qlinearConv(
            x: x, xScale: Tensor(scalar: Float(0.02)), xZeroPoint: Tensor(scalar: UInt8(255)), weight: w,
            wScale: Tensor(scalar: Float(0.01)), wZeroPoint: nil, yScale: Tensor(scalar: Float(0.3)),
            yZeroPoint: Tensor(scalar: UInt8(128)), bias: nil, ConvParameters(pads: [1, 1, 1, 1]))
        let kernel = try DNNLQuantizedConvolution(
            shape: shape, layout: .nchw, weights: w, bias: nil,
            quantization: DNNLQuantization(sourceScale: 0.02, sourceZeroPoint: 255, weightScales: [0.01],
                                           output: .u8(scale: 0.3, zeroPoint: 128)))
        let actual = try execute(x, outputShape: kernel.outputShape, dtype: .uint8, scratch: kernel.scratchpadByteCount) {
            try kernel.execute(source: $0, destination: $1, scratchpad: $2)
        }
        let differences = zip(actual.scalars(as: UInt8.self), expected.scalars(as: UInt8.self)).map { abs(Int($0) - Int($1)) }
        record("conv int8 \(sevenBit ? "7-bit" : "full-range") weights [\(kernel.implementation)]",
               (differences.max() ?? 0) <= 1,
               "\(differences.filter { $0 == 1 }.count) of \(differences.count) outputs off by 1, max \(differences.max() ?? 0)")
    }

    private mutating func floatMatMul() throws {
        let a = Tensor(shape: [3, 17, 40], scalars: Bench.floats(3 * 17 * 40, seed: 5))
        let b = Tensor(shape: [40, 23], scalars: Bench.floats(40 * 23, seed: 6))
        let expected = try Kernels.matMul(a, b)
        let kernel = try DNNLMatMul(shape: DNNLMatMulShape(a: a.shape, b: b.shape), b: .constant(b), bias: nil)
        let actual = try execute(a, outputShape: kernel.outputShape, dtype: .float32, scratch: kernel.scratchpadByteCount) {
            try kernel.execute(a: $0, b: nil, destination: $1, scratchpad: $2)
        }
        let difference = zip(actual.scalars(as: Float.self), expected.scalars(as: Float.self)).map { abs($0 - $1) }.max() ?? 0
        record("matmul f32 [\(kernel.implementation)]", difference <= 1e-4, "max difference \(difference)")
    }

    private func execute(_ source: Tensor, outputShape: [Int], dtype: DType, scratch: Int,
                         _ body: (UnsafeRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer) throws -> Void) throws -> Tensor {
        let output = Tensor(zeros: dtype, shape: outputShape)
        let scratchpad = Bench.Buffer(bytes: scratch)
        try source.withUnsafeBytes { try body($0.baseAddress!, output.storage.pointer, scratchpad.pointer) }
        return output
    }
}
