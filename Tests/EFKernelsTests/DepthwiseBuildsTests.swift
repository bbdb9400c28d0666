// Both builds of the direct depthwise int8 conv (CInt8Kernels: the x86-64 baseline and AVX2) called
// directly, against the reference accumulators, in both layouts: the runtime only reaches the
// baseline build on a CPU without AVX2, so this is where it is tested. The AVX2 build is skipped,
// with the reason, on a CPU without AVX2.

import CInt8Kernels
import EFCore
import EFKernels
import XCTest

final class DepthwiseBuildsTests: XCTestCase {
    private typealias Build = (UnsafePointer<UInt8>, UnsafePointer<Int8>, UnsafeMutablePointer<Int32>,
                               UnsafePointer<ef_depthwise_geometry>, Int64, Int64) -> Void

    func testBothBuildsMatchTheReference() throws {
        var builds: [(String, Build)] = [("baseline", { ef_qu8s8_s32_depthwise_baseline($0, $1, $2, $3, $4, $5) })]
        if CPUFeatures.current.missing(CPUFeatures.haswellFlags).isEmpty {
            builds.append(("avx2", { ef_qu8s8_s32_depthwise_avx2($0, $1, $2, $3, $4, $5) }))
        } else {
            print("depthwise avx2 build not run: no \(CPUFeatures.current.missing(CPUFeatures.haswellFlags))")
        }
        // (channels, height, width, kernel, strides, dilations, pads [top, left, bottom, right])
        let cases: [(Int, Int, Int, [Int], [Int], [Int], [Int])] = [
            (40, 9, 10, [3, 3], [2, 2], [1, 1], [1, 0, 0, 1]),
            (24, 7, 5, [5, 3], [2, 3], [2, 1], [4, 2, 3, 1]),
            (17, 2, 3, [5, 5], [3, 1], [1, 1], [2, 2, 2, 2]),
            (33, 12, 12, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
            // Interior pixels on the 16- and 8-channel blocks plus single channels (16 + 8 + 3).
            (27, 11, 13, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
            (16, 12, 14, [3, 5], [2, 1], [1, 2], [0, 3, 1, 2]),
            (8, 9, 9, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]),
            // The AVX2 interior's tap pairs: 25 taps (unrolled), 4 (even), and 143 (over its
            // 128-tap limit: the generic loops), with channels past the last group of 8.
            (35, 12, 13, [5, 5], [1, 2], [1, 1], [2, 2, 2, 2]),
            (9, 9, 10, [2, 2], [1, 1], [1, 1], [0, 0, 1, 1]),
            (12, 16, 15, [13, 11], [1, 1], [1, 1], [6, 5, 6, 5]),
            // Rows whose kernel reaches into the padding above or below (the AVX2 edge rows): a
            // 3-row input under a 5×5 kernel, and a row stride of 2.
            (16, 3, 20, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
            (24, 6, 12, [5, 5], [2, 1], [1, 1], [2, 2, 2, 2]),
        ]
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        for (index, (c, h, w, kernel, strides, dilations, pads)) in cases.enumerated() {
            let zeroPoint = [0, 255, 77, 128, 3, 200, 91, 17, 250, 64, 201, 9][index]
            let xs = (0..<(c * h * w)).map { _ in UInt8(next() % 256) }
            let ws = (0..<(c * kernel[0] * kernel[1])).map { _ in Int8(next() % 256 - 128) }
            let parameters = ConvParameters(strides: strides, dilations: dilations, pads: pads, group: c)
            let x = Tensor(shape: [1, c, h, w], scalars: xs), weight = Tensor(shape: [c, 1] + kernel, scalars: ws)
            let reference = try Kernels.quantizedConvAccumulators(x, weight: weight, bias: nil,
                                                                  zeroPoint: Int32(zeroPoint), parameters)
            let (oh, ow) = (reference.shape[2], reference.shape[3]), pixels = oh * ow, taps = kernel[0] * kernel[1]
            // The kernel reads the zero point in the padding and does not subtract it: add zp·Σw back.
            let expected = reference.scalars(as: Int32.self).enumerated().map { i, v in
                let channel = i / pixels
                let sum = ws[(channel * taps)..<((channel + 1) * taps)].reduce(Int32(0)) { $0 &+ Int32($1) }
                return v &+ Int32(zeroPoint) &* sum
            }
            let tapMajor = (0..<(taps * c)).map { ws[($0 % c) * taps + $0 / c] }  // [taps, C], as the kernel reads
            for channelsLast in [false, true] {
                let input = channelsLast ? (0..<(h * w)).flatMap { p in (0..<c).map { xs[$0 * h * w + p] } } : xs
                var g = ef_depthwise_geometry()
                g.channels = Int64(c)
                (g.input, g.output, g.kernel) = ((1, Int64(h), Int64(w)), (1, Int64(oh), Int64(ow)),
                                                 (1, Int64(kernel[0]), Int64(kernel[1])))
                (g.strides, g.dilations) = ((1, Int64(strides[0]), Int64(strides[1])),
                                            (1, Int64(dilations[0]), Int64(dilations[1])))
                g.pad_begin = (0, Int64(pads[0]), Int64(pads[1]))
                g.channels_last = channelsLast ? 1 : 0
                g.fill = UInt8(zeroPoint)
                for (name, build) in builds {
                    var acc = [Int32](repeating: -1, count: c * pixels)
                    // Two ranges of work units (channels or output rows), as the parallel loop splits them.
                    let units = Int(withUnsafePointer(to: g) { ef_depthwise_units($0) })
                    XCTAssertEqual(units, channelsLast ? oh : c)
                    // Each range's accumulators start at its first unit's: acc + lowerBound · unit size.
                    let unitSize = channelsLast ? ow * c : pixels
                    for range in [0..<(units / 3), (units / 3)..<units] {
                        acc.withUnsafeMutableBufferPointer { a in
                            let first = a.baseAddress! + range.lowerBound * unitSize
                            withUnsafePointer(to: g) { build(input, tapMajor, first, $0, Int64(range.lowerBound),
                                                             Int64(range.upperBound)) }
                        }
                    }
                    let planes = channelsLast ? (0..<c).flatMap { ch in (0..<pixels).map { acc[$0 * c + ch] } } : acc
                    XCTAssertEqual(planes, expected, "\(name) case \(index) channelsLast \(channelsLast)")
                }
            }
        }
    }
}
