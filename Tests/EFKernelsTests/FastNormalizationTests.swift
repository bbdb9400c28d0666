// FastKernels.softmax/logSoftmax and layerNorm against Kernels.softmax and Kernels.layerNorm
// over last-axis and inner-axis layouts, tails, masked and NaN rows, 1 and 2 threads.
// Tolerance: |fast − reference| ≤ 1e-6 · max(1, |reference|) for softmax, 2e-6 for layerNorm.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastNormalizationTests: XCTestCase {
    /// Deterministic values in [lo, lo + span).
    static func values(_ count: Int, seed: Int, lo: Float = -10, span: Float = 20) -> [Float] {
        var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return lo + span * Float(state >> 40) / Float(1 << 24)
        }
    }

    /// max over i of |x − y| / max(1, |y|), treating matching NaNs as equal.
    static func worst(_ x: [Float], _ y: [Float]) -> Double {
        zip(x, y).map { a, b in
            a.isNaN && b.isNaN ? 0 : (a.isNaN || b.isNaN ? .infinity : Double(abs(a - b)) / max(1, Double(abs(b))))
        }.max() ?? 0
    }

    func testSoftmaxMatchesReference() throws {
        var layouts = [(3, 50, 1), (2, 7, 1), (4, 1, 1), (2, 5, 3), (3, 13, 11), (1, 1000, 1), (2, 9, 16), (700, 3, 1)]
        if TestData.isOptimizedBuild { layouts += [(600, 50, 1), (12, 197, 197), (4, 64, 300)] }
        try forEachThreadCount {
            for (index, (outer, n, inner)) in layouts.enumerated() {
                var x = Self.values(outer * n * inner, seed: index)
                if index == 0 {
                    for k in 0..<n { x[k] = -.infinity }  // a fully masked row
                    x[n + 3] = .nan                       // a NaN row
                    x[2 * n + 1] = -.infinity              // one masked element
                }
                for log in [false, true] {
                    let input = Tensor(shape: [outer, n, inner], scalars: x)
                    let reference = try Kernels.softmax(input, axis: 1, log: log).scalars(as: Float.self)
                    var out = [Float](repeating: 0, count: x.count)
                    out.withUnsafeMutableBufferPointer {
                        FastKernels.softmax(input: x, output: $0.baseAddress!, outer: outer, axisLength: n,
                                            inner: inner, log: log)
                    }
                    XCTAssertLessThanOrEqual(Self.worst(out, reference), 1e-6, "\(outer)×\(n)×\(inner) log \(log)")
                    var inPlace = x
                    inPlace.withUnsafeMutableBufferPointer {
                        FastKernels.softmax(input: UnsafePointer($0.baseAddress!), output: $0.baseAddress!,
                                            outer: outer, axisLength: n, inner: inner, log: log)
                    }
                    XCTAssertEqual(inPlace.map(\.bitPattern), out.map(\.bitPattern),
                                   "in place \(outer)×\(n)×\(inner)")
                }
            }
        }
    }

    /// A causal mask's rows (everything after the diagonal -inf, as CLIP's text tower adds it):
    /// the masked probabilities are exactly +0 and each row sums to 1.
    func testCausallyMaskedSoftmaxGivesExactZeros() throws {
        let n = 77
        var x = Self.values(n * n, seed: 9)
        for row in 0..<n { for column in (row + 1)..<n { x[row * n + column] = -.infinity } }
        var out = [Float](repeating: 1, count: x.count)
        out.withUnsafeMutableBufferPointer {
            FastKernels.softmax(input: x, output: $0.baseAddress!, outer: n, axisLength: n, inner: 1)
        }
        for row in 0..<n {
            let probabilities = out[(row * n)..<(row * n + n)]
            XCTAssertTrue(probabilities.dropFirst(row + 1).allSatisfy { $0.bitPattern == 0 }, "row \(row)")
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-5, "row \(row)")
        }
    }

    func testLayerNormMatchesReference() throws {
        var shapes = [(5, 768), (3, 13), (4, 1), (2, 33), (70, 64), (1, 8)]
        if TestData.isOptimizedBuild { shapes += [(50, 768), (197, 1024), (4096, 96)] }
        try forEachThreadCount {
            for (index, (rows, columns)) in shapes.enumerated() {
                let x = Self.values(rows * columns, seed: index, lo: 3, span: 4)
                let scale = Self.values(columns, seed: index + 100, lo: 0.5, span: 1)
                let bias = Self.values(columns, seed: index + 200, lo: -1, span: 2)
                for withBias in [true, false] {
                    let biasTensor = withBias ? Tensor(shape: [columns], scalars: bias) : nil
                    let reference = try Kernels.layerNorm(Tensor(shape: [rows, columns], scalars: x),
                                                          scale: Tensor(shape: [columns], scalars: scale),
                                                          bias: biasTensor, axis: 1, epsilon: 1e-5)
                        .scalars(as: Float.self)
                    var out = x
                    out.withUnsafeMutableBufferPointer { buffer in
                        bias.withUnsafeBufferPointer { b in
                            FastKernels.layerNorm(input: UnsafePointer(buffer.baseAddress!),
                                                  output: buffer.baseAddress!, rows: rows, columns: columns,
                                                  scale: scale, bias: withBias ? b.baseAddress! : nil, epsilon: 1e-5)
                        }
                    }
                    XCTAssertLessThanOrEqual(Self.worst(out, reference), 2e-6, "\(rows)×\(columns) bias \(withBias)")
                }
            }
        }
    }
}
