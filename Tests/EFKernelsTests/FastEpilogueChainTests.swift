// FastKernels.dequantizeChain against the kernels it fuses, run one after another: accumulator
// dequantization, the binary kernels (full-size and scalar operands, either side), unary and
// u8 quantizeLinear, bit for bit, in both channel layouts, across piece boundaries, with the
// float output written over a full-size operand; and the inputs it refuses.

import EFCore
import EFKernels
import XCTest

final class FastEpilogueChainTests: XCTestCase {
    private typealias Fast = FastKernels

    /// The chain (fused) and the separate kernels (expected) over one layout; returns (float, u8) of each.
    private func run(channels: Int, inner: Int, outer: Int, inPlace: Bool) throws
        -> ([Float], [UInt8], [Float], [UInt8]) {
        var random = Int8TestRandom(seed: UInt64(channels * 31 + inner))
        let count = channels * inner * outer
        let acc = (0..<count).map { _ in Int32(random.int(-200_000...200_000)) }
        let bias = (0..<channels).map { _ in Int32(random.int(-5000...5000)) }
        let scales = (0..<channels).map { _ in Float(random.int(1...50)) * 1e-5 }
        let residual = (0..<count).map { _ in Float(random.int(-3000...3000)) / 311 }
        let scalar: [Float] = [0.8125]
        let (scale, zeroPoint): (Float, UInt8) = (0.04, 19)

        // Separate kernels: dequantize, residual + t, t · 0.8125, hard-swish, 2 / t, quantize.
        var t = [Float](repeating: 0, count: count)
        try Fast.dequantizeAccumulators(acc, bias: bias, scales: scales, channels: channels, inner: inner,
                                        count: count, into: &t)
        let shape = [count], one = [1]
        try Fast.BinaryPlan(.add, aShape: shape, bShape: shape, outputShape: shape).run(a: residual, b: t, output: &t)
        try Fast.BinaryPlan(.mul, aShape: shape, bShape: one, outputShape: shape).run(a: t, b: scalar, output: &t)
        try Fast.unary(.hardSwish, UnaryParameters(), input: t, output: &t, count: count)
        try Fast.BinaryPlan(.div, aShape: one, bShape: shape, outputShape: shape).run(a: [2], b: t, output: &t)
        var expectedCodes = [UInt8](repeating: 0, count: count)
        Fast.quantizeLinearU8(t, count: count, scale: scale, zeroPoint: zeroPoint, into: &expectedCodes)

        var floats = inPlace ? residual : [Float](repeating: .nan, count: count)
        var codes = [UInt8](repeating: 0, count: count)
        try residual.withUnsafeBufferPointer { r in
            try scalar.withUnsafeBufferPointer { c in
                try [Float(2)].withUnsafeBufferPointer { two in
                    try floats.withUnsafeMutableBufferPointer { y in
                        let operand = inPlace ? UnsafePointer(y.baseAddress!) : r.baseAddress!
                        let chain = Fast.EpilogueChain(
                            stages: [.binary(.add, operand: operand, scalar: false, operandFirst: true),
                                     .binary(.mul, operand: c.baseAddress!, scalar: true, operandFirst: false),
                                     .unary(.hardSwish, UnaryParameters()),
                                     .binary(.div, operand: two.baseAddress!, scalar: true, operandFirst: true)],
                            floatOutput: y.baseAddress!, quantizedOutput: nil, scale: scale, zeroPoint: zeroPoint)
                        try codes.withUnsafeMutableBufferPointer { q in
                            var both = chain
                            both.quantizedOutput = q.baseAddress!
                            try Fast.dequantizeChain(acc, bias: bias, scales: scales, channels: channels, inner: inner,
                                                     count: count, chain: both)
                        }
                    }
                }
            }
        }
        return (floats, codes, t, expectedCodes)
    }

    func testTheChainEqualsItsKernelsInTurn() throws {
        // Rows of 24 and of 5000 channels (one row over a piece); planes of 49 and of 9000 elements.
        for (channels, inner, outer) in [(24, 1, 300), (5000, 1, 3), (7, 49, 2), (3, 9000, 2)] {
            for inPlace in [false, true] {
                let (floats, codes, expectedFloats, expectedCodes) = try run(channels: channels, inner: inner,
                                                                             outer: outer, inPlace: inPlace)
                let label = "channels \(channels) inner \(inner) in place \(inPlace)"
                XCTAssertEqual(floats.map(\.bitPattern), expectedFloats.map(\.bitPattern), label)
                XCTAssertEqual(codes, expectedCodes, label)
                XCTAssertGreaterThan(Set(codes).count, 30, "the codes should spread: \(label)")
            }
        }
    }

    func testTheChainRefusesBadInput() throws {
        let acc: [Int32] = [1, 2, 3, 4], scales: [Float] = [1, 1]
        var y = [Float](repeating: 0, count: 4)
        try y.withUnsafeMutableBufferPointer { out in
            let noOutput = Fast.EpilogueChain(stages: [], floatOutput: nil, quantizedOutput: nil, scale: 1,
                                              zeroPoint: 0)
            XCTAssertThrowsError(try Fast.dequantizeChain(acc, bias: nil, scales: scales, channels: 2, inner: 1,
                                                          count: 4, chain: noOutput))
            let pow = Fast.EpilogueChain(stages: [.binary(.pow, operand: UnsafePointer(out.baseAddress!), scalar: true,
                                                          operandFirst: false)],
                                         floatOutput: out.baseAddress!, quantizedOutput: nil, scale: 1, zeroPoint: 0)
            XCTAssertThrowsError(try Fast.dequantizeChain(acc, bias: nil, scales: scales, channels: 2, inner: 1,
                                                          count: 4, chain: pow))
            let fine = Fast.EpilogueChain(stages: [], floatOutput: out.baseAddress!, quantizedOutput: nil, scale: 1,
                                          zeroPoint: 0)
            XCTAssertThrowsError(try Fast.dequantizeChain(acc, bias: nil, scales: scales, channels: 3, inner: 1,
                                                          count: 4, chain: fine), "4 is not whole rows of 3")
            XCTAssertNoThrow(try Fast.dequantizeChain(acc, bias: nil, scales: scales, channels: 2, inner: 1,
                                                      count: 4, chain: fine))
        }
        XCTAssertEqual(y, [1, 2, 3, 4])
    }
}
