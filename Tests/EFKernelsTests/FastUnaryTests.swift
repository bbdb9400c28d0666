// FastKernels.unary against Kernels.unary: bit-identical for the exact functions, within a
// stated error for the approximated transcendentals, over a dense sweep with extremes, on 1
// and 2 threads, out of place and in place.

import EFCore
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class FastUnaryTests: XCTestCase {
    /// A dense sweep of [-20, 20] (odd count, so the tail is partial) and the extremes.
    static let sweep: [Float] = {
        let step: Float = TestData.isOptimizedBuild ? 1e-4 : 1e-3
        var values = (0...Int(40 / step)).map { -20 + Float($0) * step }
        let extremes: [Float] = [0, -0, 1e-30, -1e-30, 1e-6, -1e-6, 0.625, -0.625, 1, -1, 3.92, -3.92, 88.7, 88.8,
                                 89, -87.3, -103, -104, -110, 100, -100, 1e30, -1e30, .infinity, -.infinity,
                                 .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 .leastNonzeroMagnitude, .leastNormalMagnitude]
        values += extremes
        return values
    }()

    /// Runs the fast kernel on `x` (a fresh output, then in place) and returns both results.
    static func runFast(_ fn: UnaryFunction, _ p: UnaryParameters, _ x: [Float]) throws -> ([Float], [Float]) {
        var out = [Float](repeating: 0, count: x.count)
        try x.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try FastKernels.unary(fn, p, input: src.baseAddress!, output: dst.baseAddress!, count: x.count)
            }
        }
        var inPlace = x
        try inPlace.withUnsafeMutableBufferPointer { buffer in
            try FastKernels.unary(fn, p, input: UnsafePointer(buffer.baseAddress!), output: buffer.baseAddress!,
                                  count: x.count)
        }
        return (out, inPlace)
    }

    /// The largest error `|fast − ref| / max(1, |ref|)`; infinite when NaN-ness or an infinity differs.
    static func worstError(_ fast: [Float], _ reference: [Float]) -> (Double, Int) {
        var worst = 0.0, at = -1
        for (i, (f, r)) in zip(fast, reference).enumerated() {
            if f.isNaN && r.isNaN || f == r { continue }
            let e = f.isNaN || r.isNaN || f.isInfinite || r.isInfinite
                ? Double.infinity : Double(abs(f - r)) / max(1, Double(abs(r)))
            if e > worst { worst = e; at = i }
        }
        return (worst, at)
    }

    func testExactFunctionsAreBitIdentical() throws {
        let cases: [(UnaryFunction, UnaryParameters)] = [
            (.identity, .init()), (.relu, .init()), (.leakyRelu, .init(alpha: 0.1)), (.clip, .init(alpha: -1, beta: 6)),
            (.clip, .init(alpha: 2, beta: 1)), (.neg, .init()), (.abs, .init()), (.sqrt, .init()),
            (.reciprocal, .init()), (.hardSwish, .init()), (.hardSigmoid, .init(alpha: 0.2, beta: 0.5)),
        ]
        try forEachThreadCount {
            for (fn, p) in cases {
                let reference = try Kernels.unary(fn, Tensor(shape: [Self.sweep.count], scalars: Self.sweep), p)
                    .scalars(as: Float.self)
                let (fast, inPlace) = try Self.runFast(fn, p, Self.sweep)
                for (name, result) in [("out of place", fast), ("in place", inPlace)] {
                    let mismatch = result.indices.first { i in
                        let (f, r) = (result[i], reference[i])
                        return !(f.isNaN && r.isNaN) && f.bitPattern != r.bitPattern
                    }
                    XCTAssertNil(mismatch, "\(fn) \(name) at x = \(mismatch.map { Self.sweep[$0] } ?? 0)")
                }
            }
        }
    }

    func testApproximatedFunctionsWithinTolerance() throws {
        let cases: [(UnaryFunction, UnaryParameters, Double)] = [
            (.exp, .init(), 1.5e-7), (.sigmoid, .init(), 1.5e-7), (.tanh, .init(), 1.5e-7), (.erf, .init(), 1.5e-7),
            (.gelu, .init(), 2.5e-7), (.geluTanh, .init(), 1.5e-7), (.softplus, .init(), 1.5e-7),
            (.elu, .init(alpha: 1), 1e-7), (.elu, .init(alpha: 0.5), 1e-7),
        ]
        try forEachThreadCount {
            for (fn, p, tolerance) in cases {
                let reference = try Kernels.unary(fn, Tensor(shape: [Self.sweep.count], scalars: Self.sweep), p)
                    .scalars(as: Float.self)
                let (fast, inPlace) = try Self.runFast(fn, p, Self.sweep)
                let (error, at) = Self.worstError(fast, reference)
                let (x, f, r) = at >= 0 ? (Self.sweep[at], fast[at], reference[at]) : (0, 0, 0)
                XCTAssertLessThanOrEqual(error, tolerance, "\(fn): x = \(x), fast \(f), reference \(r)")
                XCTAssertEqual(fast.map(\.bitPattern), inPlace.map(\.bitPattern), "\(fn) in place")
            }
        }
    }

    /// exp's relative error over its normal range matters to softmax: at most 2 ulp.
    func testExpRelativeError() throws {
        let x = (0...17_500).map { -87 + Float($0) * 0.01 }
        let reference = try Kernels.unary(.exp, Tensor(shape: [x.count], scalars: x)).scalars(as: Float.self)
        let (fast, _) = try Self.runFast(.exp, UnaryParameters(), x)
        let worst = zip(fast, reference).map { abs(Double($0) - Double($1)) / Double($1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 2.4e-7)
    }

    /// At and below -104 exp is +0 (set by a select, the value the polynomial rounds to there);
    /// just above it the subnormal results remain, within one subnormal step of libm's.
    func testExpVanishesAtTheClampAndKeepsSubnormalsAbove() throws {
        let vanishing: [Float] = [-104, -104.5, -110, -1e30, -.greatestFiniteMagnitude, -.infinity]
        let (zeros, _) = try Self.runFast(.exp, UnaryParameters(), vanishing + [1, 2, -1])
        XCTAssertEqual(zeros.prefix(vanishing.count).map(\.bitPattern), vanishing.map { _ in 0 })
        let above: [Float] = [-103.2, -100, -95, -90, -88]
        let (tiny, _) = try Self.runFast(.exp, UnaryParameters(), above)
        for (x, y) in zip(above, tiny) {
            XCTAssertTrue(y.isSubnormal || y.isNormal, "exp(\(x)) = \(y)")
            let step = Double(Float.leastNonzeroMagnitude)
            XCTAssertLessThanOrEqual(abs(Double(y) - Foundation.exp(Double(x))), 1.5 * step, "exp(\(x))")
        }
    }

    func testUnsupportedFunctionThrows() {
        XCTAssertFalse(FastKernels.supportsUnary(.sin))
        var x: [Float] = [1]
        XCTAssertThrowsError(try x.withUnsafeMutableBufferPointer {
            try FastKernels.unary(.sin, UnaryParameters(), input: UnsafePointer($0.baseAddress!),
                                  output: $0.baseAddress!, count: 1)
        })
    }
}

/// Runs `body` with 1 and then 2 threads, restoring the thread count.
func forEachThreadCount(_ body: () throws -> Void) rethrows {
    let saved = Parallel.threadCount
    defer { Parallel.setThreadCount(saved) }
    for threads in [1, 2] {
        Parallel.setThreadCount(threads)
        try body()
    }
}
