// Int8Convolution.forEachBlock (an ungrouped channels-last int8 conv run block by block of
// output pixels, on one or two threads) against the contract's reference accumulators, bit for
// bit: padded 3×3, strided, a 1×1 that reads its input rows directly, a 3-channel 7×7 stride-2
// stem (the im2col's whole-kernel-row copies), a last block shorter than the others; depthwise
// convs in blocks of whole output rows; plus when blocks are refused and how an error inside a
// block surfaces.

import EFCore
import EFKernels
import XCTest

final class Int8ConvBlocksTests: XCTestCase {
    private struct Failure: Error {}

    /// A channels-last conv of random u8 input and s8 weights with a bias and a zero point, its
    /// input [N, C, spatial...] and the reference accumulators.
    private func randomConv(_ xShape: [Int], _ wShape: [Int], _ parameters: ConvParameters,
                            _ random: inout Int8TestRandom) throws -> (Int8Convolution, Tensor, Tensor) {
        let m = wShape[0]
        let x = Tensor(shape: xShape, scalars: (0..<xShape.elementCount).map { _ in UInt8(random.int(0...255)) })
        let w = Tensor(shape: wShape, scalars: (0..<wShape.elementCount).map { _ in Int8(random.int(-128...127)) })
        let bias = Tensor(shape: [m], scalars: (0..<m).map { Int32($0 * 1000 - 4000) })
        let zeroPoint = Int32(random.int(0...255))
        let expected = try Kernels.quantizedConvAccumulators(x, weight: w, bias: bias, zeroPoint: zeroPoint, parameters)
        let conv = try Int8Convolution(inputShape: xShape, weights: w, bias: bias, zeroPoint: zeroPoint, parameters,
                                       channelsLast: true)
        return (conv, x, expected)
    }

    func testBlocksMatchTheReferenceAccumulators() throws {
        // (input [N, C, spatial...], M, kernel, parameters)
        let cases: [([Int], Int, [Int], ConvParameters)] = [
            ([2, 6, 13, 11], 10, [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
            ([1, 5, 21, 17], 7, [3, 3], ConvParameters(strides: [2, 2], pads: [0, 1, 1, 0])),
            ([1, 24, 9, 15], 19, [1, 1], ConvParameters()),
            ([1, 3, 40, 37], 16, [7, 7], ConvParameters(strides: [2, 2], pads: [3, 3, 3, 3])),
            ([1, 4, 50], 9, [5], ConvParameters(dilations: [2], pads: [4, 4])),
        ]
        var random = Int8TestRandom(seed: 11)
        for (index, (xShape, m, kernel, parameters)) in cases.enumerated() {
            let (conv, x, expected) = try randomConv(xShape, [m, xShape[1]] + kernel, parameters, &random)
            let blocks = try XCTUnwrap(conv.blocks(targetBytes: 1, minimumCount: 2), "case \(index)")
            XCTAssertEqual(blocks.rows, 12)
            let packed = try Int8PackedWeights(conv.columnWeights(group: 0))
            let product: Int8Convolution.ColumnProduct = { columns, rowStride, rows, out in
                try FastKernels.int8GEMM(columns, rowStride: rowStride, rows: rows, weights: packed, into: out,
                                         outputRowStride: packed.n)
            }
            let input = try Kernels.transpose(x, perm: [0] + Array(2..<x.rank) + [1])
            for threads in [1, 2] {
                Parallel.setThreadCount(threads)
                defer { Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
                XCTAssertEqual(try conv.blockedWithBias(input, blocks, product: product),
                               expected.scalars(as: Int32.self), "case \(index), \(threads) thread(s)")
            }
        }
    }

    func testDepthwiseBlocksMatchTheReferenceAccumulators() throws {
        // (input [N, C, H, W], kernel, parameters without the group): blocks of 2 output rows, the
        // last one shorter where the rows are odd.
        let cases: [([Int], [Int], ConvParameters)] = [
            ([2, 24, 13, 11], [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
            ([1, 19, 17, 20], [5, 5], ConvParameters(strides: [2, 2], pads: [2, 2, 2, 2])),
            ([1, 8, 9, 30], [3, 3], ConvParameters(dilations: [2, 2], pads: [2, 1, 2, 3])),
        ]
        var random = Int8TestRandom(seed: 12)
        for (index, (xShape, kernel, parameters)) in cases.enumerated() {
            let c = xShape[1]
            var parameters = parameters
            parameters.group = c
            let (conv, x, expected) = try randomConv(xShape, [c, 1] + kernel, parameters, &random)
            XCTAssertTrue(conv.isDepthwise)
            let width = expected.shape[3], rows = expected.shape[2]
            let blocks = try XCTUnwrap(conv.blocks(targetBytes: 2 * width * c * 4, minimumCount: 2), "case \(index)")
            XCTAssertEqual(blocks.rows, 2 * width, "case \(index)")
            XCTAssertEqual(blocks.count, (rows + 1) / 2, "case \(index)")
            let input = try Kernels.transpose(x, perm: [0, 2, 3, 1])
            for threads in [1, 2] {
                Parallel.setThreadCount(threads)
                defer { Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
                XCTAssertEqual(try conv.blockedWithBias(input, blocks, product: nil),
                               expected.scalars(as: Int32.self), "case \(index), \(threads) thread(s)")
            }
        }
    }

    func testBlocksAreRefusedWhereTheyDoNotApply() throws {
        let w = Tensor(shape: [4, 2, 3, 3], scalars: [Int8](repeating: 1, count: 72))
        let grouped = try Int8Convolution(inputShape: [1, 4, 30, 30], weights: w, bias: nil, zeroPoint: 0,
                                          ConvParameters(group: 2), channelsLast: true)
        XCTAssertNil(grouped.blocks(targetBytes: 1, minimumCount: 2))
        let ungrouped = Tensor(shape: [4, 4, 3, 3], scalars: [Int8](repeating: 1, count: 144))
        let planes = try Int8Convolution(inputShape: [1, 4, 30, 30], weights: ungrouped, bias: nil, zeroPoint: 0,
                                         ConvParameters(), channelsLast: false)
        XCTAssertNil(planes.blocks(targetBytes: 1, minimumCount: 2))
        let small = try Int8Convolution(inputShape: [1, 4, 6, 6], weights: ungrouped, bias: nil, zeroPoint: 0,
                                        ConvParameters(), channelsLast: true)
        XCTAssertNil(small.blocks(targetBytes: 1, minimumCount: 2), "16 pixels make one block of 12 and a rest")
        XCTAssertNotNil(small.blocks(targetBytes: 1, minimumCount: 1))
        let depthwise = Tensor(shape: [4, 1, 3, 3], scalars: [Int8](repeating: 1, count: 36))
        let rows = try Int8Convolution(inputShape: [1, 4, 30, 30], weights: depthwise, bias: nil, zeroPoint: 0,
                                       ConvParameters(pads: [1, 1, 1, 1], group: 4), channelsLast: true)
        XCTAssertNil(rows.blocks(targetBytes: 1, minimumCount: 31), "30 output rows make at most 30 blocks")
        XCTAssertEqual(rows.blocks(targetBytes: 1, minimumCount: 30)?.rows, 30)
        let ungroupedNoProduct = try XCTUnwrap(small.blocks(targetBytes: 1, minimumCount: 1))
        let input = Tensor(shape: [1, 6, 6, 4], scalars: [UInt8](repeating: 3, count: 144))
        XCTAssertThrowsError(try small.blockedWithBias(input, ungroupedNoProduct, product: nil)) {
            XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidInput, "an ungrouped conv needs a column product")
        }
    }

    func testAnErrorInABlockIsThrown() throws {
        let w = Tensor(shape: [4, 4, 1, 1], scalars: [Int8](repeating: 1, count: 16))
        let conv = try Int8Convolution(inputShape: [1, 4, 10, 10], weights: w, bias: nil, zeroPoint: 0,
                                       ConvParameters(), channelsLast: true)
        let blocks = try XCTUnwrap(conv.blocks(targetBytes: 1, minimumCount: 2))
        let input = Tensor(shape: [1, 10, 10, 4], scalars: [UInt8](repeating: 3, count: 400))
        XCTAssertThrowsError(try conv.blockedWithBias(input, blocks) { _, _, rows, _ in
            if rows < 12 { throw Failure() }
        }) { XCTAssertTrue($0 is Failure) }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: blocks.scratchpadByteCount, alignment: 64)
        defer { scratch.deallocate() }
        var finished = 0
        XCTAssertThrowsError(try input.withUnsafeBufferPointer(as: UInt8.self) { x in
            try conv.forEachBlock(x.baseAddress!, image: 1, blocks: blocks, scratchpad: scratch,
                                  product: { _, _, _, _ in }) { _, _ in finished += 1 }
        }) { XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidInput) }
        XCTAssertEqual(finished, 0, "the image index is checked before any block runs")
    }
}
