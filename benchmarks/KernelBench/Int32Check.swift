// `edgeflow-kernel-bench --check-int32`: whether oneDNN's u8·s8 → s32 kernels (no scales, no
// post-ops) give exactly the contract's accumulators (Kernels.quantized*Accumulators) on the
// ISA this process runs on (cap it with ONEDNN_MAX_CPU_ISA). Accumulators reach ±2^30 (K up to
// 40000 with x = 255, w = ±127 runs) and random data; both the first implementation oneDNN
// offers ("fast") and the one Edgeflow's exact-only filter takes are checked. Prints one line
// per case; exits 1 when a kernel the runtime would use (ISA in DNNLInt32Products.exactInt32ISAs,
// not a "ref" implementation) is off. Elsewhere inexact results are printed as findings.

import EFCore
import EFKernels
import EFOneDNN
import Foundation

struct Int32Check {
    private var failures = 0
    private var inexact = 0

    mutating func run() throws -> Bool {
        let trusted = DNNLInt32Products.isExactHere
        print("isa \(DNNLEngine.effectiveISA) (runtime uses oneDNN s32 here: \(trusted))")
        for (index, (m, k, n, batch)) in [(7, 5000, 33, 2), (3, 40000, 16, 1), (64, 300, 70, 1)].enumerated() {
            for pattern in 0..<3 { try matMul(m: m, k: k, n: n, batch: batch, pattern: pattern, seed: UInt64(index)) }
        }
        let convs: [(DNNLConvolutionShape, String)] = [
            (.init(batch: 1, inChannels: 4096, outChannels: 24, inputSpatial: [3, 3], kernel: [1, 1]), "1×1 C4096"),
            (.init(batch: 2, inChannels: 512, outChannels: 20, inputSpatial: [7, 6], kernel: [3, 3], strides: [2, 2],
                   padBegin: [1, 1], padEnd: [1, 1]), "3×3/2 C512"),
            (.init(batch: 1, inChannels: 64, outChannels: 64, inputSpatial: [9, 9], kernel: [3, 3], padBegin: [1, 1],
                   padEnd: [1, 1], groups: 64), "depthwise 3×3"),
            (.init(batch: 1, inChannels: 96, outChannels: 48, inputSpatial: [8, 7], kernel: [3, 3], dilations: [2, 1],
                   padBegin: [2, 1], padEnd: [1, 0], groups: 4), "grouped dilated"),
        ]
        for (index, (shape, name)) in convs.enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                for pattern in 0..<3 { try conv(shape, name, layout, pattern: pattern, seed: UInt64(10 + index)) }
            }
        }
        print("\(inexact) inexact result(s), \(failures) failure(s)")
        return failures == 0
    }

    /// pattern 0: x = 255, w = +127 (largest positive sums); 1: x = 255, w = −128/+127 in runs;
    /// 2: random full-range.
    private func operands(_ xCount: Int, _ wCount: Int, pattern: Int, seed: UInt64) -> ([UInt8], [Int8]) {
        switch pattern {
        case 0: return ([UInt8](repeating: 255, count: xCount), [Int8](repeating: 127, count: wCount))
        case 1: return ([UInt8](repeating: 255, count: xCount), (0..<wCount).map { ($0 / 3) % 2 == 0 ? -128 : 127 })
        default: return (Bench.integers(xCount, in: 0...255, seed: seed, as: UInt8.self),
                         Bench.integers(wCount, in: -128...127, seed: seed + 99, as: Int8.self))
        }
    }

    private mutating func matMul(m: Int, k: Int, n: Int, batch: Int, pattern: Int, seed: UInt64) throws {
        let (xs, ws) = operands(batch * m * k, k * n, pattern: pattern, seed: seed)
        let a = Tensor(shape: [batch, m, k], scalars: xs), b = Tensor(shape: [k, n], scalars: ws)
        let expected = try Kernels.quantizedMatMulAccumulators(a, b, bias: nil, zeroPoint: 0)
        for exactOnly in [false, true] {
            let kernel = try DNNLInt8MatMulS32(shape: DNNLMatMulShape(a: a.shape, b: b.shape), weights: b,
                                               exactOnly: exactOnly)
            let actual = try execute(a, kernel.outputShape, kernel.scratchpadByteCount) {
                try kernel.execute(a: $0, destination: $1, scratchpad: $2)
            }
            compare(actual, expected, "matmul \(batch)×\(m)×\(k)·\(k)×\(n) pattern \(pattern)", exactOnly,
                    kernel.implementation)
        }
    }

    private mutating func conv(_ shape: DNNLConvolutionShape, _ name: String, _ layout: DNNLLayout, pattern: Int,
                               seed: UInt64) throws {
        let xShape = [shape.batch, shape.inChannels] + shape.inputSpatial
        let wShape = [shape.outChannels, shape.inChannels / shape.groups] + shape.kernel
        let (xs, ws) = operands(xShape.elementCount, wShape.elementCount, pattern: pattern, seed: seed)
        let x = Tensor(shape: xShape, scalars: xs), w = Tensor(shape: wShape, scalars: ws)
        let zeroPoint: Int32 = pattern == 2 ? 77 : 0
        let window = ConvParameters(strides: shape.strides, dilations: shape.dilations,
                                    pads: shape.padBegin + shape.padEnd, group: shape.groups)
        let expected = try Kernels.quantizedConvAccumulators(x, weight: w, bias: nil, zeroPoint: zeroPoint, window)
        let last = [0] + Array(2..<xShape.count) + [1]
        let back = [0, xShape.count - 1] + Array(1..<(xShape.count - 1))
        let source = layout == .nhwc ? try Kernels.transpose(x, perm: last) : x
        for exactOnly in [false, true] {
            let kernel = try DNNLInt8ConvolutionS32(shape: shape, layout: layout, weights: w,
                                                    sourceZeroPoint: zeroPoint, exactOnly: exactOnly)
            let physical = layout == .nhwc ? last.map { kernel.outputShape[$0] } : kernel.outputShape
            var actual = try execute(source, physical, kernel.scratchpadByteCount) {
                try kernel.execute(source: $0, destination: $1, scratchpad: $2)
            }
            if layout == .nhwc { actual = try Kernels.transpose(actual, perm: back) }
            compare(actual, expected, "conv \(name) \(layout) zp \(zeroPoint) pattern \(pattern)", exactOnly,
                    kernel.implementation)
        }
    }

    private mutating func compare(_ actual: Tensor, _ expected: Tensor, _ name: String, _ exactOnly: Bool,
                                  _ implementation: String) {
        let got = actual.scalars(as: Int32.self), want = expected.scalars(as: Int32.self)
        let largest = want.map { Int64($0).magnitude }.max() ?? 0
        let wrong = zip(got, want).filter { $0 != $1 }.count
        let worst = zip(got, want).map { (Int64($0) - Int64($1)).magnitude }.max() ?? 0
        let label = "\(name) \(exactOnly ? "exact-only" : "fast") [\(implementation)] max |acc| \(largest)"
        guard wrong > 0 else { return print("exact \(label)") }
        inexact += 1
        let used = DNNLInt32Products.isExactHere && !implementation.hasPrefix("ref")
        print("\(used ? "FAILED" : "INEXACT") \(label): \(wrong) of \(got.count) differ, max |difference| \(worst)")
        if used { failures += 1 }
    }

    private func execute(_ source: Tensor, _ outputShape: [Int], _ scratch: Int,
                         _ body: (UnsafeRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer) throws -> Void)
        throws -> Tensor {
        let output = Tensor(zeros: .int32, shape: outputShape)
        let scratchpad = Bench.Buffer(bytes: scratch)
        try source.withUnsafeBytes { try body($0.baseAddress!, output.storage.pointer, scratchpad.pointer) }
        return output
    }
}
