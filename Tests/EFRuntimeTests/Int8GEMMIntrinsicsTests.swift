// The AVX2 intrinsics int8 GEMM (EFKernelsAVX2.FastKernels.int8GEMMIntrinsics, the runtime's int8
// product on AVX2 CPUs) against the contract's reference accumulators, bit for bit: every row
// count of a 6-row tile and past it, N across partial 8- and 16-column blocks and 64-column
// groups, odd K and K across the kernel's 512-value chunks, extreme operands (x = 255 with
// w = 127 or −128: pair sums at the int32 edge of vpmaddwd, totals that wrap), strides wider
// than a row. Skipped, with the reason, on a CPU without AVX2.

import EFCore
import EFKernels
import EFKernelsAVX2
import XCTest

final class Int8GEMMIntrinsicsTests: XCTestCase {
    private func operands(_ xCount: Int, _ wCount: Int, pattern: Int, seed: UInt64) -> ([UInt8], [Int8]) {
        var state = seed &* 2862933555777941757 &+ 3037000493
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        switch pattern {
        case 0: return ([UInt8](repeating: 255, count: xCount), [Int8](repeating: 127, count: wCount))
        case 1: return ([UInt8](repeating: 255, count: xCount), (0..<wCount).map { $0 % 5 < 2 ? -128 : 127 })
        default: return ((0..<xCount).map { _ in UInt8(next() % 256) },
                         (0..<wCount).map { _ in Int8(next() % 256 - 128) })
        }
    }

    func testIntrinsicsGEMMMatchesTheReferenceAccumulators() throws {
        let missing = CPUFeatures.current.missing(CPUFeatures.haswellFlags)
        try XCTSkipUnless(missing.isEmpty, "the AVX2 kernel cannot run here: no \(missing.joined(separator: ", "))")
        let shapes = [(1, 1, 1), (5, 7, 3), (6, 16, 16), (7, 33, 17), (13, 64, 40), (12, 511, 24), (3, 513, 9),
                      (19, 1027, 72), (6, 300, 136), (2, 40001, 3), (1, 96, 520)]
        for (index, (m, k, n)) in shapes.enumerated() {
            for pattern in 0..<3 {
                let (xs, ws) = operands(m * (k + 5), k * n, pattern: pattern, seed: UInt64(index))
                let a = Tensor(shape: [m, k], scalars: (0..<m).flatMap { r in xs[(r * (k + 5))..<(r * (k + 5) + k)] })
                let b = Tensor(shape: [k, n], scalars: ws)
                let expected = try Kernels.quantizedMatMulAccumulators(a, b, bias: nil, zeroPoint: 0)
                let packed = try EFKernelsAVX2.Int8PackedWeights(b)
                // Input rows k + 5 apart and output rows n + 3 apart; the padding must stay untouched.
                var c = [Int32](repeating: -7, count: m * (n + 3))
                try xs.withUnsafeBufferPointer { x in
                    try c.withUnsafeMutableBufferPointer { out in
                        try EFKernelsAVX2.FastKernels.int8GEMMIntrinsics(x.baseAddress!, rowStride: k + 5, rows: m,
                                                                         weights: packed, into: out.baseAddress!,
                                                                         outputRowStride: n + 3)
                    }
                }
                let rows = (0..<m).flatMap { r in c[(r * (n + 3))..<(r * (n + 3) + n)] }
                XCTAssertEqual(rows, expected.scalars(as: Int32.self), "\(m)×\(k)·\(k)×\(n) pattern \(pattern)")
                XCTAssertTrue(c.indices.filter { $0 % (n + 3) >= n }.allSatisfy { c[$0] == -7 })
            }
        }
    }

    func testShortStridesAreRefused() throws {
        try XCTSkipUnless(CPUFeatures.current.missing(CPUFeatures.haswellFlags).isEmpty, "no AVX2 on this CPU")
        let packed = try EFKernelsAVX2.Int8PackedWeights(Tensor(shape: [4, 2], scalars: [Int8](repeating: 1, count: 8)))
        var c = [Int32](repeating: 0, count: 6)
        let x = [UInt8](repeating: 1, count: 12)
        XCTAssertThrowsError(try x.withUnsafeBufferPointer { x in
            try c.withUnsafeMutableBufferPointer { out in
                try EFKernelsAVX2.FastKernels.int8GEMMIntrinsics(x.baseAddress!, rowStride: 3, rows: 3, weights: packed,
                                                                 into: out.baseAddress!, outputRowStride: 2)
            }
        })
    }
}
