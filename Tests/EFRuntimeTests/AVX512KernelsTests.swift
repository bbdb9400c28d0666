// The AVX-512 build of the streaming kernels (EFKernelsAVX512) against the baseline build
// (EFKernels), byte for byte: every fast unary function over a dense sweep and the special
// values, the int8 epilogues in both channel layouts, u8 quantize, softmax, layer normalization.
// The two builds are one source compiled twice, so any difference means the compiler contracted
// or reordered float arithmetic differently for the two targets.

import EFCore
import EFKernels
import EFKernelsAVX512
import XCTest

private typealias Base = EFKernels.FastKernels
private typealias Wide = EFKernelsAVX512.FastKernels

final class AVX512KernelsTests: XCTestCase {
    private let features = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "bmi2",
                            "movbe", "abm"]

    override func setUpWithError() throws {
        let missing = CPUFeatures.current.missing(features)
        try XCTSkipUnless(missing.isEmpty, "this CPU lacks \(missing.joined(separator: ", ")): the AVX-512 build "
            + "cannot run here (the baseline build is what this machine uses)")
    }

    /// A dense sweep of [-20, 20] plus the values where kernels switch formulas or saturate.
    private var sweep: [Float] {
        var values: [Float] = [0, -0, .nan, .infinity, -.infinity, .greatestFiniteMagnitude,
                               -.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude,
                               1e-30, -1e-30, 88.8, -104, 100, -100, 0.625, -0.625, 1, -1, 3.92, -3.92]
        for k in -40_000...40_000 { values.append(Float(k) * 5e-4) }
        return values
    }

    func testUnaryFunctionsEqualTheBaselineBuild() throws {
        let x = sweep
        let parameters = [EFKernels.UnaryParameters(alpha: 0.1, beta: 0.5),
                          EFKernels.UnaryParameters(alpha: -3, beta: 6)]
        for fn in EFKernels.UnaryFunction.allCases where Base.supportsUnary(fn) {
            for p in parameters {
                var base = [Float](repeating: 0, count: x.count), wide = base
                try x.withUnsafeBufferPointer { input in
                    try base.withUnsafeMutableBufferPointer {
                        try Base.unary(fn, p, input: input.baseAddress!, output: $0.baseAddress!, count: x.count)
                    }
                    try wide.withUnsafeMutableBufferPointer {
                        try Wide.unary(fn, p, input: input.baseAddress!, output: $0.baseAddress!,
                                       count: x.count)
                    }
                }
                let differing = zip(base, wide).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differing, 0, "\(fn.rawValue) alpha \(p.alpha): \(differing) values differ")
            }
        }
    }

    func testInt8EpiloguesAndQuantizeEqualTheBaselineBuild() throws {
        var random: UInt64 = 99
        func next() -> Int32 {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int32(truncatingIfNeeded: random >> 32)
        }
        let (channels, inner) = (13, 37)
        let count = channels * inner * 3
        let acc = (0..<count).map { i in i % 5 == 0 ? next() : next() >> 12 }
        let bias = (0..<channels).map { _ in next() >> 10 }
        let multipliers = (0..<channels).map { Float($0 + 1) * 3.1e-6 }
        let output = Base.RequantizeOutput(zeroPoint: 77, lower: 20, upper: 250)
        let wideOutput = Wide.RequantizeOutput(zeroPoint: 77, lower: 20, upper: 250)
        for layoutInner in [1, inner] {
            var base = [UInt8](repeating: 0, count: count), wide = base
            var baseF = [Float](repeating: 0, count: count), wideF = baseF
            try Base.requantize(acc, bias: bias, multipliers: multipliers, channels: channels,
                                inner: layoutInner, count: count, output: output, into: &base)
            try Wide.requantize(acc, bias: bias, multipliers: multipliers, channels: channels,
                                inner: layoutInner, count: count, output: wideOutput, into: &wide)
            XCTAssertEqual(base, wide, "requantize, inner \(layoutInner)")
            try Base.dequantizeAccumulators(acc, bias: bias, scales: multipliers, channels: channels,
                                            inner: layoutInner, count: count, into: &baseF)
            try Wide.dequantizeAccumulators(acc, bias: bias, scales: multipliers, channels: channels,
                                            inner: layoutInner, count: count, into: &wideF)
            XCTAssertEqual(baseF.map(\.bitPattern), wideF.map(\.bitPattern), "dequantize, inner \(layoutInner)")
        }
        let x = sweep
        for (scale, zeroPoint) in [(Float(0.125), UInt8(128)), (0.037, 0), (1e-3, 255)] {
            var base = [UInt8](repeating: 0, count: x.count), wide = base
            Base.quantizeLinearU8(x, count: x.count, scale: scale, zeroPoint: zeroPoint, into: &base)
            Wide.quantizeLinearU8(x, count: x.count, scale: scale, zeroPoint: zeroPoint, into: &wide)
            XCTAssertEqual(base, wide, "quantize scale \(scale) zero point \(zeroPoint)")
        }
    }
}

extension AVX512KernelsTests {
    func testSoftmaxAndLayerNormEqualTheBaselineBuild() throws {
        var random: UInt64 = 5
        func next() -> Float {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int32(truncatingIfNeeded: random >> 32)) / 1e8
        }
        for (outer, length, inner) in [(7, 197, 1), (3, 77, 1), (4, 13, 5), (2, 9, 19)] {
            let x = (0..<(outer * length * inner)).map { _ in next() }
            for log in [false, true] {
                var base = [Float](repeating: 0, count: x.count), wide = base
                Base.softmax(input: x, output: &base, outer: outer, axisLength: length, inner: inner, log: log)
                Wide.softmax(input: x, output: &wide, outer: outer, axisLength: length, inner: inner, log: log)
                XCTAssertEqual(base.map(\.bitPattern), wide.map(\.bitPattern), "softmax \(outer)×\(length)×\(inner)")
            }
        }
        for (rows, columns) in [(197, 512), (5, 768), (3, 13)] {
            let x = (0..<(rows * columns)).map { _ in next() }
            let scale = (0..<columns).map { _ in next() }, bias = (0..<columns).map { _ in next() }
            var base = [Float](repeating: 0, count: x.count), wide = base
            Base.layerNorm(input: x, output: &base, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: 1e-5)
            Wide.layerNorm(input: x, output: &wide, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: 1e-5)
            XCTAssertEqual(base.map(\.bitPattern), wide.map(\.bitPattern), "layerNorm \(rows)×\(columns)")
        }
    }
}
