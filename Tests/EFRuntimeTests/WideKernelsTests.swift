// The AVX-512 and AVX2 builds of the streaming kernels (EFKernelsAVX512, EFKernelsAVX2) against
// the baseline build (EFKernels), byte for byte: every fast unary function over a dense sweep
// and the special values, the int8 epilogues in both channel layouts, u8 quantize, softmax and
// layer normalization. The builds are one source compiled for three targets, so a difference
// means the compiler contracted or reordered float arithmetic for one of them. A build the CPU
// cannot run is skipped, with the missing flags named.

import EFCore
import EFKernels
import EFKernelsAVX2
import EFKernelsAVX512
import XCTest

private typealias Base = EFKernels.FastKernels
private typealias Function = EFKernels.UnaryFunction
private typealias Parameters = EFKernels.UnaryParameters

/// One build's entry points, with EFKernels' parameter types.
private struct KernelBuild {
    let name: String
    let features: [String]
    let unary: (Function, Parameters, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) throws -> Void
    let requantize: ([Int32], [Int32], [Float], Int, Int, Base.RequantizeOutput, inout [UInt8]) throws -> Void
    let dequantize: ([Int32], [Int32], [Float], Int, Int, inout [Float]) throws -> Void
    let quantize: ([Float], Float, UInt8, inout [UInt8]) -> Void
    let softmax: ([Float], inout [Float], Int, Int, Int, Bool) -> Void
    let layerNorm: ([Float], inout [Float], Int, Int, [Float], [Float]) -> Void
}

private let builds = [
    KernelBuild(name: "avx2", features: CPUFeatures.haswellFlags,
                unary: { try EFKernelsAVX2.FastKernels.unary($0, $1, input: $2, output: $3, count: $4) },
                requantize: { a, b, m, c, i, o, y in
                    let output = EFKernelsAVX2.FastKernels.RequantizeOutput(zeroPoint: o.zeroPoint, lower: o.lower,
                                                                            upper: o.upper)
                    try EFKernelsAVX2.FastKernels.requantize(a, bias: b, multipliers: m, channels: c, inner: i,
                                                             count: a.count, output: output, into: &y)
                },
                dequantize: { try EFKernelsAVX2.FastKernels.dequantizeAccumulators($0, bias: $1, scales: $2,
                                                                                  channels: $3, inner: $4,
                                                                                  count: $0.count, into: &$5) },
                quantize: { EFKernelsAVX2.FastKernels.quantizeLinearU8($0, count: $0.count, scale: $1, zeroPoint: $2,
                                                                      into: &$3) },
                softmax: { EFKernelsAVX2.FastKernels.softmax(input: $0, output: &$1, outer: $2, axisLength: $3,
                                                             inner: $4, log: $5) },
                layerNorm: { EFKernelsAVX2.FastKernels.layerNorm(input: $0, output: &$1, rows: $2, columns: $3,
                                                                 scale: $4, bias: $5, epsilon: 1e-5) }),
    KernelBuild(name: "avx512", features: CPUFeatures.skylakeAVX512Flags,
                unary: { try EFKernelsAVX512.FastKernels.unary($0, $1, input: $2, output: $3, count: $4) },
                requantize: { a, b, m, c, i, o, y in
                    let output = EFKernelsAVX512.FastKernels.RequantizeOutput(zeroPoint: o.zeroPoint, lower: o.lower,
                                                                              upper: o.upper)
                    try EFKernelsAVX512.FastKernels.requantize(a, bias: b, multipliers: m, channels: c, inner: i,
                                                               count: a.count, output: output, into: &y)
                },
                dequantize: { try EFKernelsAVX512.FastKernels.dequantizeAccumulators($0, bias: $1, scales: $2,
                                                                                    channels: $3, inner: $4,
                                                                                    count: $0.count, into: &$5) },
                quantize: { EFKernelsAVX512.FastKernels.quantizeLinearU8($0, count: $0.count, scale: $1, zeroPoint: $2,
                                                                        into: &$3) },
                softmax: { EFKernelsAVX512.FastKernels.softmax(input: $0, output: &$1, outer: $2, axisLength: $3,
                                                               inner: $4, log: $5) },
                layerNorm: { EFKernelsAVX512.FastKernels.layerNorm(input: $0, output: &$1, rows: $2, columns: $3,
                                                                   scale: $4, bias: $5, epsilon: 1e-5) }),
]

final class WideKernelsTests: XCTestCase {
    /// The builds this CPU runs; skips the test when there is none.
    private func runnableBuilds() throws -> [KernelBuild] {
        let runnable = builds.filter { CPUFeatures.current.missing($0.features).isEmpty }
        let missing = builds.filter { !runnable.map(\.name).contains($0.name) }
            .map { "\($0.name) (no \(CPUFeatures.current.missing($0.features).joined(separator: ", ")))" }
        if !missing.isEmpty { print("wide kernel builds this CPU cannot run: \(missing.joined(separator: "; "))") }
        try XCTSkipIf(runnable.isEmpty, "this CPU runs only the baseline build: \(missing.joined(separator: "; "))")
        return runnable
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
        let parameters = [Parameters(alpha: 0.1, beta: 0.5), Parameters(alpha: -3, beta: 6)]
        for build in try runnableBuilds() {
            for fn in Function.allCases where Base.supportsUnary(fn) {
                for p in parameters {
                    var base = [Float](repeating: 0, count: x.count), wide = base
                    try Base.unary(fn, p, input: x, output: &base, count: x.count)
                    try build.unary(fn, p, x, &wide, x.count)
                    let differing = zip(base, wide).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(build.name) \(fn.rawValue) alpha \(p.alpha): \(differing) differ")
                }
            }
        }
    }

    func testInt8EpiloguesAndQuantizeEqualTheBaselineBuild() throws {
        var random = Rows(seed: 99)
        let (channels, inner) = (13, 37)
        let count = channels * inner * 3
        let acc = (0..<count).map { i in i % 5 == 0 ? random.int32() : random.int32() >> 12 }
        let bias = (0..<channels).map { _ in random.int32() >> 10 }
        let multipliers = (0..<channels).map { Float($0 + 1) * 3.1e-6 }
        let output = Base.RequantizeOutput(zeroPoint: 77, lower: 20, upper: 250)
        let x = sweep
        for build in try runnableBuilds() {
            for layout in [1, inner] {
                var base = [UInt8](repeating: 0, count: count), wide = base
                var baseF = [Float](repeating: 0, count: count), wideF = baseF
                try Base.requantize(acc, bias: bias, multipliers: multipliers, channels: channels, inner: layout,
                                    count: count, output: output, into: &base)
                try build.requantize(acc, bias, multipliers, channels, layout, output, &wide)
                XCTAssertEqual(base, wide, "\(build.name) requantize, inner \(layout)")
                try Base.dequantizeAccumulators(acc, bias: bias, scales: multipliers, channels: channels,
                                                inner: layout, count: count, into: &baseF)
                try build.dequantize(acc, bias, multipliers, channels, layout, &wideF)
                XCTAssertEqual(baseF.map(\.bitPattern), wideF.map(\.bitPattern), "\(build.name) dequantize \(layout)")
            }
            for (scale, zeroPoint) in [(Float(0.125), UInt8(128)), (0.037, 0), (1e-3, 255)] {
                var base = [UInt8](repeating: 0, count: x.count), wide = base
                Base.quantizeLinearU8(x, count: x.count, scale: scale, zeroPoint: zeroPoint, into: &base)
                build.quantize(x, scale, zeroPoint, &wide)
                XCTAssertEqual(base, wide, "\(build.name) quantize scale \(scale) zero point \(zeroPoint)")
            }
        }
    }

    func testSoftmaxAndLayerNormEqualTheBaselineBuild() throws {
        var random = Rows(seed: 5)
        for build in try runnableBuilds() {
            for (outer, length, inner) in [(7, 197, 1), (3, 77, 1), (4, 13, 5), (2, 9, 19)] {
                let x = random.floats(outer * length * inner)
                for log in [false, true] {
                    var base = [Float](repeating: 0, count: x.count), wide = base
                    Base.softmax(input: x, output: &base, outer: outer, axisLength: length, inner: inner, log: log)
                    build.softmax(x, &wide, outer, length, inner, log)
                    XCTAssertEqual(base.map(\.bitPattern), wide.map(\.bitPattern),
                                   "\(build.name) softmax \(outer)×\(length)×\(inner) log \(log)")
                }
            }
            for (rows, columns) in [(197, 512), (5, 768), (3, 13)] {
                let x = random.floats(rows * columns), scale = random.floats(columns), bias = random.floats(columns)
                var base = [Float](repeating: 0, count: x.count), wide = base
                Base.layerNorm(input: x, output: &base, rows: rows, columns: columns, scale: scale, bias: bias,
                               epsilon: 1e-5)
                build.layerNorm(x, &wide, rows, columns, scale, bias)
                XCTAssertEqual(base.map(\.bitPattern), wide.map(\.bitPattern),
                               "\(build.name) layerNorm \(rows)×\(columns)")
            }
        }
    }
}

/// A seeded generator of test data.
private struct Rows {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func int32() -> Int32 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int32(truncatingIfNeeded: state >> 32)
    }

    mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in Float(int32()) / 1e8 } }
}
