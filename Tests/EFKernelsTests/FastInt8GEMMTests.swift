// The Swift SIMD int8 GEMM and the int8 convolution on it against the contract's reference
// accumulators, bit for bit: odd K, N not a multiple of 8, rows not a multiple of 4, K up to
// 5000 with x = 255 and w = ±127/−128 (sums beyond 2^24 and wrapping), every conv geometry
// (1×1, strides, dilation, padding with the zero point, groups, depthwise on its direct kernel
// in 1-D, 2-D and 3-D, 1-D) in both layouts.

import EFCore
import EFKernels
import XCTest

final class FastInt8GEMMTests: XCTestCase {
    private func operands(_ xCount: Int, _ wCount: Int, pattern: Int, seed: UInt64) -> ([UInt8], [Int8]) {
        var random = Int8TestRandom(seed: seed)
        switch pattern {
        case 0: return ([UInt8](repeating: 255, count: xCount), [Int8](repeating: 127, count: wCount))
        case 1: return ([UInt8](repeating: 255, count: xCount), (0..<wCount).map { $0 % 5 < 2 ? -128 : 127 })
        default: return ((0..<xCount).map { _ in UInt8(random.int(0...255)) },
                         (0..<wCount).map { _ in Int8(random.int(-128...127)) })
        }
    }

    func testGEMMMatchesTheReferenceAccumulators() throws {
        let shapes = [(1, 1, 1), (5, 7, 3), (4, 16, 8), (9, 33, 17), (13, 64, 40), (3, 5000, 9), (2, 40001, 3)]
        for (index, (m, k, n)) in shapes.enumerated() {
            for pattern in 0..<3 {
                let (xs, ws) = operands(m * k, k * n, pattern: pattern, seed: UInt64(index))
                let a = Tensor(shape: [m, k], scalars: xs), b = Tensor(shape: [k, n], scalars: ws)
                let expected = try Kernels.quantizedMatMulAccumulators(a, b, bias: nil, zeroPoint: 0)
                let packed = try Int8PackedWeights(b)
                // Output rows padded to n + 3 to check the stride; padding must stay untouched.
                var c = [Int32](repeating: -7, count: m * (n + 3))
                try FastKernels.int8GEMM(xs, rowStride: k, rows: m, weights: packed, into: &c, outputRowStride: n + 3)
                let rows = (0..<m).flatMap { r in c[(r * (n + 3))..<(r * (n + 3) + n)] }
                XCTAssertEqual(rows, expected.scalars(as: Int32.self), "\(m)×\(k)·\(k)×\(n) pattern \(pattern)")
                let padding = c.indices.filter { $0 % (n + 3) >= n }.map { c[$0] }
                XCTAssertTrue(padding.allSatisfy { $0 == -7 })
                let sums = (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 &+ Int32(ws[$1 * n + j]) } }
                XCTAssertEqual(packed.columnSums, sums)
            }
        }
    }

    func testGEMMRefusesShortStrides() throws {
        let packed = try Int8PackedWeights(Tensor(shape: [4, 2], scalars: [Int8](repeating: 1, count: 8)))
        var c = [Int32](repeating: 0, count: 8)
        XCTAssertThrowsError(try FastKernels.int8GEMM([UInt8](repeating: 1, count: 12), rowStride: 3, rows: 3,
                                                      weights: packed, into: &c, outputRowStride: 2))
        XCTAssertThrowsError(try Int8PackedWeights(k: 0, n: 3) { _, _ in 0 })
    }

    func testConvolutionMatchesTheReferenceInBothLayouts() throws {
        // (input [N, C, spatial...], M, kernel, parameters)
        let cases: [([Int], Int, [Int], ConvParameters)] = [
            ([1, 16, 5, 5], 8, [1, 1], ConvParameters()),
            ([2, 6, 9, 8], 10, [3, 3], ConvParameters(strides: [2, 2], pads: [1, 1, 1, 1])),
            ([1, 8, 7, 7], 8, [3, 3], ConvParameters(pads: [1, 1, 1, 1], group: 8)),
            ([1, 12, 9, 6], 6, [3, 2],
             ConvParameters(strides: [1, 2], dilations: [2, 1], pads: [2, 0, 1, 1], group: 3)),
            ([2, 5, 11], 7, [3], ConvParameters(strides: [2], pads: [1, 2])),
            ([1, 700, 3, 3], 9, [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
            ([1, 4, 6, 6], 4, [1, 1], ConvParameters(strides: [2, 2], group: 2)),
            // The channels-last im2col's copies: kernel rows of 57, 15, 6 and 3 bytes, taps of 19
            // bytes where the width is dilated, and a 3-D kernel.
            ([1, 19, 6, 7], 4, [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
            ([1, 19, 6, 7], 4, [3, 3], ConvParameters(dilations: [1, 2], pads: [1, 2, 1, 2])),
            ([1, 5, 8, 9], 6, [3, 3], ConvParameters(strides: [1, 2], dilations: [2, 1], pads: [2, 0, 1, 1])),
            ([1, 2, 5, 5], 3, [3, 3], ConvParameters(pads: [0, 1, 1, 0])),
            ([1, 1, 5, 6], 2, [2, 3], ConvParameters(strides: [2, 1], pads: [1, 1, 1, 1])),
            ([1, 4, 4, 5, 6], 5, [3, 2, 3], ConvParameters(strides: [1, 2, 1], pads: [1, 0, 1, 1, 1, 1])),
            // Depthwise (the direct kernel): several channel chunks, strides, dilation, uneven
            // padding, a kernel larger than the input, 1-D and 3-D.
            ([2, 40, 9, 10], 40, [3, 3], ConvParameters(strides: [2, 2], pads: [1, 0, 0, 1], group: 40)),
            ([1, 24, 7, 5], 24, [5, 3], ConvParameters(strides: [2, 3], dilations: [2, 1], pads: [4, 2, 3, 1],
                                                        group: 24)),
            ([1, 17, 2, 3], 17, [5, 5], ConvParameters(strides: [3, 1], pads: [2, 2, 2, 2], group: 17)),
            ([2, 9, 13], 9, [4], ConvParameters(strides: [2], pads: [2, 1], group: 9)),
            ([1, 6, 3, 4, 5], 6, [2, 3, 3], ConvParameters(strides: [1, 2, 1], pads: [1, 1, 0, 0, 1, 2], group: 6)),
        ]
        for (index, (xShape, m, kernel, parameters)) in cases.enumerated() {
            let wShape = [m, xShape[1] / parameters.group] + kernel
            for pattern in 0..<3 {
                let (xs, ws) = operands(xShape.elementCount, wShape.elementCount, pattern: pattern, seed: UInt64(index))
                let x = Tensor(shape: xShape, scalars: xs), w = Tensor(shape: wShape, scalars: ws)
                let bias = Tensor(shape: [m], scalars: (0..<m).map { Int32.max - Int32($0 * 1000) })
                let zeroPoint: Int32 = [0, 255, 77][pattern]
                let expected = try Kernels.quantizedConvAccumulators(x, weight: w, bias: bias, zeroPoint: zeroPoint,
                                                                     parameters)
                for channelsLast in [false, true] {
                    let conv = try Int8Convolution(inputShape: xShape, weights: w, bias: bias, zeroPoint: zeroPoint,
                                                   parameters, channelsLast: channelsLast)
                    let input = channelsLast ? try Kernels.transpose(x, perm: [0] + Array(2..<x.rank) + [1]) : x
                    let pixels = conv.outputPixels
                    var actual: [Int32] = []
                    let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(64, conv.scratchpadByteCount),
                                                                   alignment: 64)
                    defer { scratch.deallocate() }
                    try input.withUnsafeBufferPointer(as: UInt8.self) { px in
                        for image in 0..<xShape[0] {
                            let acc = try conv.accumulate(px.baseAddress!, image: image, scratchpad: scratch)
                            for c in 0..<m {  // back to [M, pixels] with the bias
                                for p in 0..<pixels {
                                    let v = channelsLast ? acc[p * m + c] : acc[c * pixels + p]
                                    actual.append(v &+ conv.compensatedBias[c])
                                }
                            }
                        }
                    }
                    XCTAssertEqual(actual, expected.scalars(as: Int32.self),
                                   "case \(index) pattern \(pattern) channelsLast \(channelsLast)")
                }
            }
        }
    }
}
