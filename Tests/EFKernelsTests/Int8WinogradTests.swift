// The Winograd F(m×m, 3×3) int8 convs, m = 2, 3, 4 (Int8Convolution with `winograd: true`),
// against the contract's reference accumulators, bit for bit: odd sizes (last tiles partly
// outside the output), channel counts that are not multiples of 16 or 8, padding on some sides
// only, a zero point the padding reads, the largest input channel count each exactness bound
// allows at the extreme values, whole images on 1 and 2 threads and blocks of tile rows; which
// tile is chosen, and where none is.

import EFCore
import EFKernels
import XCTest

final class Int8WinogradTests: XCTestCase {
    /// The channels-last conv (asked for Winograd) of `x` [N, C, H, W] u8 and `w` s8, its
    /// channels-last input and the reference accumulators [N, M, H', W'] with the bias.
    private func conv(_ x: Tensor, _ w: Tensor, zeroPoint: Int32, _ parameters: ConvParameters, tile: Int) throws
        -> (Int8Convolution, Tensor, [Int32]) {
        let m = w.shape[0]
        let bias = Tensor(shape: [m], scalars: (0..<m).map { Int32($0 * 977 - 3000) })
        let expected = try Kernels.quantizedConvAccumulators(x, weight: w, bias: bias, zeroPoint: zeroPoint, parameters)
        let conv = try Int8Convolution(inputShape: x.shape, weights: w, bias: bias, zeroPoint: zeroPoint, parameters,
                                       channelsLast: true, winograd: true, winogradTiles: [tile])
        XCTAssertEqual(conv.winogradTile, tile, "\(x.shape)")
        return (conv, try Kernels.transpose(x, perm: [0, 2, 3, 1]), expected.scalars(as: Int32.self))
    }

    private func random(_ shape: [Int], _ range: ClosedRange<Int>, _ random: inout Int8TestRandom) -> [Int] {
        (0..<shape.elementCount).map { _ in random.int(range) }
    }

    private func skipUnlessAvailable() throws {
        try XCTSkipUnless(Int8Winograd.isAvailable, "the Winograd kernel needs AVX2 (this process runs the baseline)")
    }

    func testWholeImagesMatchTheReferenceAccumulators() throws {
        try skipUnlessAvailable()
        // (input [N, C, H, W], M, pads [top, left, bottom, right])
        let cases: [([Int], Int, [Int])] = [
            ([1, 16, 8, 8], 16, [1, 1, 1, 1]),
            ([2, 17, 7, 9], 19, [1, 1, 1, 1]),     // odd output: the last tiles are half outside
            ([1, 8, 5, 6], 8, [0, 0, 0, 0]),       // no padding: 3×4 output
            ([1, 33, 6, 11], 13, [0, 1, 2, 0]),    // padding below and left only
            ([1, 64, 3, 3], 40, [1, 1, 1, 1]),     // fewer tiles than one group of 6
        ]
        var rng = Int8TestRandom(seed: 41)
        for tile in [2, 3, 4] {
            for (index, (xShape, m, pads)) in cases.enumerated() {
                let x = Tensor(shape: xShape, scalars: random(xShape, 0...255, &rng).map { UInt8($0) })
                let wShape = [m, xShape[1], 3, 3]
                let w = Tensor(shape: wShape, scalars: random(wShape, -128...127, &rng).map { Int8($0) })
                let (conv, input, expected) = try conv(x, w, zeroPoint: Int32(rng.int(0...255)),
                                                       ConvParameters(pads: pads), tile: tile)
                for threads in [1, 2] {
                    Parallel.setThreadCount(threads)
                    defer { Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
                    XCTAssertEqual(try conv.accumulatedWithBias(input), expected,
                                   "F(\(tile)), case \(index), \(threads) thread(s)")
                }
            }
        }
    }

    func testTheExactnessBoundHoldsAtTheExtremes() throws {
        try skipUnlessAvailable()
        // Channels of 255 against −128 (and +127): 2^s · Σ is inside int32 only just (s = 2 for
        // tiles 2 and 3 up to 1,827 channels, s = 6 for tile 4 up to 114).
        for (tile, channels) in [(2, 1800), (3, 1800), (4, 114)] {
            for (value, weight) in [(255, -128), (255, 127), (0, -128)] {
                let xShape = [1, channels, 5, 4], wShape = [8, channels, 3, 3]
                let x = Tensor(shape: xShape, scalars: [UInt8](repeating: UInt8(value), count: xShape.elementCount))
                let w = Tensor(shape: wShape, scalars: [Int8](repeating: Int8(weight), count: wShape.elementCount))
                let (conv, input, expected) = try conv(x, w, zeroPoint: 255, ConvParameters(pads: [1, 1, 1, 1]),
                                                       tile: tile)
                XCTAssertEqual(try conv.accumulatedWithBias(input), expected, "F(\(tile)), x \(value), w \(weight)")
            }
        }
    }

    func testBlocksOfTileRowsMatchTheReferenceAccumulators() throws {
        try skipUnlessAvailable()
        var rng = Int8TestRandom(seed: 42)
        // (input, tile); the last: a Winograd's scratch is smaller than the im2col's columns.
        for (xShape, tile) in [([2, 24, 13, 10], 2), ([1, 16, 20, 7], 3), ([2, 40, 14, 9], 4), ([1, 128, 9, 16], 3)] {
            let x = Tensor(shape: xShape, scalars: random(xShape, 0...255, &rng).map { UInt8($0) })
            let wShape = [20, xShape[1], 3, 3]
            let w = Tensor(shape: wShape, scalars: random(wShape, -128...127, &rng).map { Int8($0) })
            let (conv, input, expected) = try conv(x, w, zeroPoint: 7, ConvParameters(pads: [1, 1, 1, 1]), tile: tile)
            let width = xShape[3], rows = xShape[2]
            let blocks = try XCTUnwrap(conv.blocks(targetBytes: 1, minimumCount: 2))
            XCTAssertEqual(blocks.rows, tile * width, "one row of tiles per block")
            XCTAssertEqual(blocks.count, (rows + tile - 1) / tile)
            for threads in [1, 2] {
                Parallel.setThreadCount(threads)
                defer { Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
                XCTAssertEqual(try conv.blockedWithBias(input, blocks, product: nil), expected,
                               "\(xShape), \(threads) thread(s)")
            }
        }
    }

    func testOtherConvsAreRefused() throws {
        func tile(_ xShape: [Int], _ wShape: [Int], _ parameters: ConvParameters, channelsLast: Bool = true,
                  tiles: [Int] = Int8Winograd.tileSizes) throws -> Int? {
            let w = Tensor(shape: wShape, scalars: [Int8](repeating: 1, count: wShape.elementCount))
            return try Int8Convolution(inputShape: xShape, weights: w, bias: nil, zeroPoint: 0, parameters,
                                       channelsLast: channelsLast, winograd: true, winogradTiles: tiles).winogradTile
        }
        func uses(_ xShape: [Int], _ wShape: [Int], _ parameters: ConvParameters, channelsLast: Bool = true) throws
            -> Bool {
            try tile(xShape, wShape, parameters, channelsLast: channelsLast) != nil
        }
        XCTAssertFalse(try uses([1, 16, 9, 9], [16, 16, 3, 3], ConvParameters(strides: [2, 2])))
        XCTAssertFalse(try uses([1, 16, 9, 9], [16, 16, 3, 3], ConvParameters(dilations: [2, 2])))
        XCTAssertFalse(try uses([1, 16, 9, 9], [16, 16, 5, 5], ConvParameters()))
        XCTAssertFalse(try uses([1, 16, 9, 9], [16, 8, 3, 3], ConvParameters(group: 2)))
        XCTAssertFalse(try uses([1, 16, 9, 9], [16, 16, 3, 3], ConvParameters(), channelsLast: false))
        XCTAssertFalse(try uses([1, 16, 9, 9, 9], [16, 16, 3, 3, 3], ConvParameters()))
        XCTAssertFalse(try uses([1, 4, 9, 9], [16, 4, 3, 3], ConvParameters()), "too few channels to gain")
        XCTAssertFalse(try uses([1, 1900, 4, 4], [8, 1900, 3, 3], ConvParameters()), "beyond the exactness bound")
        guard Int8Winograd.isAvailable else { return }
        XCTAssertTrue(try uses([1, 16, 9, 9], [16, 16, 3, 3], ConvParameters()))
        XCTAssertNil(try tile([1, 115, 8, 8], [8, 115, 3, 3], ConvParameters(), tiles: [4]), "F(4×4) up to 114")
        XCTAssertEqual(try tile([1, 115, 8, 8], [8, 115, 3, 3], ConvParameters(), tiles: [3]), 3)
        // The cheapest exact tile: F(4×4) at 56×56 with 64 channels; at 7×7 with 512, where 4×4
        // tiles are not exact, F(2×2) (16 tiles for 49 pixels) rather than F(3×3) (9 tiles, 81).
        XCTAssertEqual(try tile([1, 64, 56, 56], [64, 64, 3, 3], ConvParameters(pads: [1, 1, 1, 1])), 4)
        XCTAssertEqual(try tile([1, 512, 7, 7], [512, 512, 3, 3], ConvParameters(pads: [1, 1, 1, 1])), 2)
    }
}
