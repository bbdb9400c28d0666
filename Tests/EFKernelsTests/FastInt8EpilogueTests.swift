// The SIMD int8 epilogues against the contract's scalar kernels, bit for bit: requantization
// (both channel layouts, bias wrapping, exact .5 ties, saturation, every clamp end, large
// accumulators that round in float32), accumulator dequantization, and per-tensor u8
// QuantizeLinear (exact ties, NaN, ±inf, huge values, random bit patterns) / DequantizeLinear
// (every code).

import EFCore
import EFKernels
import XCTest

/// A small seeded generator for the int8 tests.
struct Int8TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed &* 2862933555777941757 &+ 3037000493 }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 16
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

final class FastInt8EpilogueTests: XCTestCase {
    /// Accumulators mixing exact ties for the multipliers below, extremes and random values.
    private func accumulators(_ count: Int, seed: UInt64) -> [Int32] {
        var random = Int8TestRandom(seed: seed)
        let special: [Int32] = [0, 1, -1, 3, -3, 5, -5, 7, 255, 256, -256, 511, 16_777_217, -16_777_217,
                                Int32.max, Int32.min, Int32.max - 1, Int32.min + 1, 1 << 30, -(1 << 30)]
        return (0..<count).map { i in
            switch i % 4 {
            case 0: return special[(i / 4) % special.count]
            case 1: return Int32(random.int(-600...600))
            case 2: return Int32(truncatingIfNeeded: random.next())
            default: return Int32(random.int(-100_000...100_000))
            }
        }
    }

    func testRequantizeMatchesTheScalarContractInBothLayouts() throws {
        // Multipliers with exact .5 products (0.5, 0.25, 0.125), ordinary ones and a tiny one.
        let multipliers: [Float] = [0.5, 0.25, 0.125, 0.003_917, 1, 1.5e-5, 0.0625, 2.75e-3, 0.5, 7.1e-4, 0.999]
        let outputs: [(Int32, Int32, Int32)] = [(0, 0, 255), (128, 0, 255), (255, 0, 255), (3, 3, 255), (77, 10, 200),
                                                (128, 128, 128)]
        for (layoutIndex, (channels, inner, images)) in [(11, 1, 37), (5, 7, 3), (3, 64, 2), (8, 1, 9), (1, 19, 4)]
            .enumerated() {
            let count = channels * inner * images
            let acc = accumulators(count, seed: UInt64(layoutIndex))
            var random = Int8TestRandom(seed: 99)
            let bias = (0..<channels).map { c in c % 3 == 0 ? Int32.max - Int32(c) : Int32(random.int(-5000...5000)) }
            let m = (0..<channels).map { multipliers[$0 % multipliers.count] }
            for (zp, lower, upper) in outputs {
                for useBias in [false, true] {
                    var y = [UInt8](repeating: 0, count: count)
                    try FastKernels.requantize(acc, bias: useBias ? bias : nil, multipliers: m, channels: channels,
                                               inner: inner, count: count,
                                               output: .init(zeroPoint: zp, lower: lower, upper: upper), into: &y)
                    let expected = (0..<count).map { i -> UInt8 in
                        let c = (i / inner) % channels
                        return Kernels.requantize(acc[i] &+ (useBias ? bias[c] : 0), multiplier: m[c], zeroPoint: zp,
                                                  lower: lower, upper: upper)
                    }
                    XCTAssertEqual(y, expected, "channels \(channels) inner \(inner) zp \(zp) \(lower)...\(upper)")
                }
            }
        }
    }

    func testRequantizeHitsTiesExactly() throws {
        // acc · 0.5 is k + 0.5 for odd acc: every value from -1001 to 1001, ties to even.
        let acc = (-1001...1001).map { Int32($0) }
        var y = [UInt8](repeating: 0, count: acc.count)
        try FastKernels.requantize(acc, bias: nil, multipliers: [0.5], channels: 1, inner: 1, count: acc.count,
                                   output: .init(zeroPoint: 128), into: &y)
        XCTAssertEqual(y, acc.map { Kernels.requantize($0, multiplier: 0.5, zeroPoint: 128, lower: 0, upper: 255) })
        XCTAssertEqual(y[1001 + 5], 130, "2.5 rounds to 2")
        XCTAssertEqual(y[1001 + 7], 132, "3.5 rounds to 4")
    }

    func testDequantizeAccumulatorsMatchesBitForBit() throws {
        for (channels, inner) in [(13, 1), (4, 9), (8, 1)] {
            let count = channels * inner * 5
            let acc = accumulators(count, seed: UInt64(channels))
            let scales = (0..<channels).map { Float(0.001) * Float($0 + 1) + 1e-7 }
            let bias = (0..<channels).map { Int32.max - Int32($0 * 3) }
            var y = [Float](repeating: 0, count: count)
            try FastKernels.dequantizeAccumulators(acc, bias: bias, scales: scales, channels: channels, inner: inner,
                                                   count: count, into: &y)
            let expected = (0..<count).map { i -> Float in
                let c = (i / inner) % channels
                return Float(acc[i] &+ bias[c]) * scales[c]
            }
            XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern))
            let reference = try Kernels.dequantizeAccumulators(
                Tensor(shape: [count], scalars: acc.enumerated().map { $1 &+ bias[($0 / inner) % channels] }),
                scales: Tensor(shape: [channels], scalars: scales), inner: inner, channels: channels)
            XCTAssertEqual(y.map(\.bitPattern), reference.scalars(as: Float.self).map(\.bitPattern))
        }
    }

    func testEpilogueRefusesInconsistentSizes() {
        var y = [UInt8](repeating: 0, count: 10)
        XCTAssertThrowsError(try FastKernels.requantize([Int32](repeating: 0, count: 10), bias: nil,
                                                        multipliers: [1, 1, 1],
                                                        channels: 3, inner: 1, count: 10, output: .init(zeroPoint: 0),
                                                        into: &y))
        XCTAssertThrowsError(try FastKernels.requantize([Int32](repeating: 0, count: 10), bias: nil, multipliers: [1],
                                                        channels: 1, inner: 1, count: 10,
                                                        output: .init(zeroPoint: 300), into: &y))
    }

    func testQuantizeLinearMatchesTheReference() throws {
        var random = Int8TestRandom(seed: 5)
        for (scale, zeroPoint) in [(Float(0.5), UInt8(0)), (0.25, 128), (0.1, 255), (0.02, 77), (3.0e-3, 3), (1, 128)] {
            var x: [Float] = [0, -0, .nan, -.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -1e30, 1e-40]
            // Exact ties k + 0.5 (for power-of-two scales the quotient is exact) and near-ties.
            for k in -300...300 { x.append((Float(k) + 0.5) * scale) }
            for k in -300...300 { x.append(Float(k) * scale * 1.000_001) }
            for _ in 0..<20_000 { x.append(Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))) }
            for _ in 0..<20_000 { x.append(Float(random.int(-400_000...400_000)) / 1000) }
            var y = [UInt8](repeating: 0, count: x.count)
            FastKernels.quantizeLinearU8(x, count: x.count, scale: scale, zeroPoint: zeroPoint, into: &y)
            let expected = try Kernels.quantizeLinear(Tensor(shape: [x.count], scalars: x),
                                                      scale: Tensor(scalar: scale),
                                                      zeroPoint: Tensor(scalar: zeroPoint), outputDType: .uint8)
            let want = expected.scalars(as: UInt8.self)
            let wrong = (0..<x.count).filter { y[$0] != want[$0] }
            let first = wrong.first.map { x[$0] } ?? 0
            XCTAssertEqual(wrong.count, 0, "scale \(scale) zp \(zeroPoint): first at x = \(first)")
        }
    }

    func testDequantizeLinearCoversEveryCode() throws {
        let codes = (0...255).map { UInt8($0) }
        for (scale, zeroPoint) in [(Float(0.5), UInt8(0)), (0.017, 128), (3.3e-5, 255)] {
            let table = FastKernels.dequantizeTable(scale: scale, zeroPoint: zeroPoint)
            var y = [Float](repeating: 0, count: 256)
            try FastKernels.dequantizeLinearU8(codes, count: 256, table: table, tableCount: table.count, into: &y)
            let expected = try Kernels.dequantizeLinear(Tensor(shape: [256], scalars: codes),
                                                        scale: Tensor(scalar: scale),
                                                        zeroPoint: Tensor(scalar: zeroPoint))
            XCTAssertEqual(y.map(\.bitPattern), expected.scalars(as: Float.self).map(\.bitPattern))
        }
    }
}
