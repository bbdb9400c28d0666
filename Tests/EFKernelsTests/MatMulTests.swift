// MatMul and the blocked GEMM against a plain triple loop written here, over shapes that cross
// every blocking edge (micro-tile remainders, several k panels), with broadcasting and rank-1
// operands.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class MatMulTests: XCTestCase {
    /// Plain numpy-matmul reference for 2-D or broadcast-free batched operands, in Double.
    private func naiveMatMul(_ a: [Double], _ b: [Double], batch: Int, m: Int, k: Int, n: Int,
                             aBatched: Bool, bBatched: Bool) -> [Double] {
        var out = [Double](repeating: 0, count: batch * m * n)
        for t in 0..<batch {
            let ao = aBatched ? t * m * k : 0, bo = bBatched ? t * k * n : 0
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += a[ao + i * k + p] * b[bo + p * n + j] }
                    out[t * m * n + i * n + j] = s
                }
            }
        }
        return out
    }

    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(((($0 &* 7919 &+ seed &* 104729) % 23) - 11)) / 8 }
    }

    func testGemmMatchesNaiveAcrossBlockingEdges() throws {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 300, 9), (13, 17, 33), (130, 2, 17), (6, 513, 20)] {
            let a = values(m * k, seed: m), b = values(k * n, seed: n)
            let result = try Kernels.matMul(Tensor(shape: [m, k], scalars: a), Tensor(shape: [k, n], scalars: b))
            let expected = naiveMatMul(a.map(Double.init), b.map(Double.init), batch: 1, m: m, k: k, n: n,
                                       aBatched: false, bBatched: false)
            XCTAssertEqual(result.shape, [m, n])
            // Inputs are multiples of 1/8 with small magnitude: every sum is exact in float32.
            XCTAssertEqual(result.doubleValues(), expected, "m=\(m) k=\(k) n=\(n)")
        }
    }

    func testGemmWithTransposedViewsAndAccumulate() {
        let (m, k, n) = (5, 6, 9)
        let a = values(m * k, seed: 1), b = values(k * n, seed: 2)
        // aT is stored k×m, bT is n×k; view them transposed.
        var aT = [Float](repeating: 0, count: m * k), bT = [Float](repeating: 0, count: k * n)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bT[j * k + p] = b[p * n + j] } }
        var c = [Float](repeating: 1, count: m * n)
        aT.withUnsafeBufferPointer { pa in
            bT.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Kernels.gemm(m: m, n: n, k: k, a: MatrixView(pa.baseAddress!, rowStride: 1, colStride: m),
                                 b: MatrixView(pb.baseAddress!, rowStride: 1, colStride: k),
                                 c: pc.baseAddress!, ldc: n, accumulate: true)
                }
            }
        }
        let expected = naiveMatMul(a.map(Double.init), b.map(Double.init), batch: 1, m: m, k: k, n: n,
                                   aBatched: false, bBatched: false).map { $0 + 1 }
        XCTAssertEqual(c.map(Double.init), expected)
    }

    func testBatchBroadcastAndRankOnePromotion() throws {
        let a = values(2 * 3 * 4, seed: 3), b = values(4 * 5, seed: 4)
        let batched = try Kernels.matMul(Tensor(shape: [2, 3, 4], scalars: a), Tensor(shape: [4, 5], scalars: b))
        XCTAssertEqual(batched.shape, [2, 3, 5])
        XCTAssertEqual(batched.doubleValues(), naiveMatMul(a.map(Double.init), b.map(Double.init), batch: 2,
                                                           m: 3, k: 4, n: 5, aBatched: true, bBatched: false))
        // b broadcast the other way: a [3, 4] against b [2, 4, 5].
        let b2 = values(2 * 4 * 5, seed: 5)
        let other = try Kernels.matMul(Tensor(shape: [3, 4], scalars: Array(a.prefix(12))),
                                       Tensor(shape: [2, 1, 4, 5], scalars: b2))
        XCTAssertEqual(other.shape, [2, 1, 3, 5])
        XCTAssertEqual(other.doubleValues(), naiveMatMul(Array(a.prefix(12)).map(Double.init), b2.map(Double.init),
                                                         batch: 2, m: 3, k: 4, n: 5, aBatched: false, bBatched: true))
        let vector = try Kernels.matMul(Tensor(shape: [4], scalars: Array(a.prefix(4))), Tensor(shape: [4, 5], scalars: b))
        XCTAssertEqual(vector.shape, [5])
        let dot = try Kernels.matMul(Tensor(shape: [4], scalars: Array(a.prefix(4))), Tensor(shape: [4], scalars: Array(b.prefix(4))))
        XCTAssertEqual(dot.shape, [])
        XCTAssertEqual(dot.doubleValues()[0], zip(a.prefix(4), b.prefix(4)).reduce(0.0) { $0 + Double($1.0 * $1.1) })
    }

    func testHalfFloatsComputeInFloat32() throws {
        // 2049 is not a float16; the float32 sum 2048 + 1 + 0.5 = 2049.5 rounds once, to 2050.
        let a = Tensor(shape: [1, 3], scalars: [Float16](arrayLiteral: 2048, 1, 0.5))
        let b = Tensor(shape: [3, 1], scalars: [Float16](arrayLiteral: 1, 1, 1))
        let c = try Kernels.matMul(a, b)
        XCTAssertEqual(c.dtype, .float16)
        XCTAssertEqual(c.scalars(as: Float16.self), [2050])
        let x = Tensor(shape: [1, 1, 3], scalars: [Float16](arrayLiteral: 1, 2, 3))
        let w = Tensor(shape: [1, 1, 2], scalars: [Float16](arrayLiteral: 0.5, 0.25))
        let y = try Kernels.conv(x, weight: w, bias: nil, ConvParameters())
        XCTAssertEqual(y.scalars(as: Float16.self), [1, 1.75])
    }

    func testFloat64AndErrors() throws {
        let a = Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4]), b = Tensor(shape: [2, 1], scalars: [0.5, -1.0])
        XCTAssertEqual(try Kernels.matMul(a, b).scalars(as: Double.self), [-1.5, -2.5])
        XCTAssertThrowsError(try Kernels.matMul(a, Tensor(shape: [3, 1], scalars: [1.0, 2, 3]))) { error in
            XCTAssertTrue("\(error)".contains("inner dimensions"), "\(error)")
        }
        XCTAssertThrowsError(try Kernels.matMul(Tensor(shape: [1, 1], scalars: [Int32(1)]), Tensor(shape: [1, 1], scalars: [Int32(1)])))
        XCTAssertThrowsError(try Kernels.matMul(a, Tensor(shape: [2, 1], scalars: [Float(1), 2])))
    }
}
