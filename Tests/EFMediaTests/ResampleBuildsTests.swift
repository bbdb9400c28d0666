// Both builds of the two resampling passes and of the box reduce (CResample: the x86-64 baseline
// and AVX2) called directly on random images (and random taps), against their definitions
// written out in Swift (Pillow's clip8 of half + Σ pixel · weight; Reduce.c's rounded box mean).
// EFMedia only reaches the baseline build on a CPU without AVX2, so this is where it is tested;
// ResampleGoldenTests checks the build this CPU runs against Pillow itself. The AVX2 build is
// skipped, with the reason, on a CPU without AVX2.

import CResample
import EFCore
import EFTestSupport
import XCTest

final class ResampleBuildsTests: XCTestCase {
    private struct Taps {
        var first: [Int], count: [Int], weights: [Int32], stride: Int
    }

    private var avx2: Bool {
        let missing = CPUFeatures.current.missing(CPUFeatures.haswellFlags)
        if !missing.isEmpty { print("resample avx2 build not run: no \(missing)") }
        return missing.isEmpty
    }

    func testHorizontalBuildsMatchTheDefinition() {
        var rng = SeededGenerator(seed: 5)
        for trial in 0..<300 {
            let channels = [1, 3, 4, 3, 4][trial % 5]
            let width = 1 + rng.below(40), height = 1 + rng.below(6)
            let pixels = (0..<(width * height * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let taps = randomTaps(&rng, source: width, outputs: 1 + rng.below(30), wild: trial % 7 == 0)
            let rowBegin = rng.below(height), rows = 1 + rng.below(height - rowBegin)
            let expected = horizontalDefinition(pixels, width: width, channels: channels,
                                                rows: rowBegin..<rowBegin + rows, taps: taps)
            var builds = [("baseline", ef_u8_resample_horizontal_baseline)]
            if avx2 { builds.append(("avx2", ef_u8_resample_horizontal_avx2)) }
            for (name, build) in builds {
                var out = [UInt8](repeating: 0, count: expected.count)
                with(taps) { c in
                    build(pixels, Int64(width), Int64(height), Int64(channels), Int64(rowBegin), Int64(rows), c,
                          Int64(taps.first.count), &out)
                }
                XCTAssertEqual(out, expected, "\(name), trial \(trial): \(width)×\(height)×\(channels)")
            }
        }
    }

    func testVerticalBuildsMatchTheDefinition() {
        var rng = SeededGenerator(seed: 9)
        for trial in 0..<200 {
            // Rows of 1…200 bytes: the 64-byte tiles and the bytes after the last whole tile.
            let rowBytes = 1 + rng.below(200), height = 1 + rng.below(12)
            let pixels = (0..<(rowBytes * height)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let taps = randomTaps(&rng, source: height, outputs: 1 + rng.below(10), wild: trial % 7 == 0)
            var expected = [UInt8](repeating: 0, count: taps.first.count * rowBytes)
            for y in 0..<taps.first.count {
                for x in 0..<rowBytes {
                    var sum = UInt32(1 << 21)
                    for t in 0..<taps.count[y] {
                        let weight = UInt32(bitPattern: taps.weights[y * taps.stride + t])
                        sum = sum &+ UInt32(pixels[(taps.first[y] + t) * rowBytes + x]) &* weight
                    }
                    expected[y * rowBytes + x] = clip8(sum)
                }
            }
            var builds = [("baseline", ef_u8_resample_vertical_baseline)]
            if avx2 { builds.append(("avx2", ef_u8_resample_vertical_avx2)) }
            for (name, build) in builds {
                var out = [UInt8](repeating: 0, count: expected.count)
                with(taps) { c in build(pixels, Int64(rowBytes), Int64(taps.first.count), c, &out) }
                XCTAssertEqual(out, expected, "\(name), trial \(trial): rows of \(rowBytes) bytes")
            }
        }
    }

    func testReduceBuildsMatchTheDefinition() {
        var rng = SeededGenerator(seed: 13)
        for trial in 0..<200 {
            let channels = [1, 3, 4, 3][trial % 4], factor = 2 + rng.below(7)
            let width = 1 + rng.below(40), height = 1 + rng.below(20)
            let pixels = (0..<(width * height * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let outWidth = (width + factor - 1) / factor, outHeight = (height + factor - 1) / factor
            var expected = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let rows = min(factor, height - oy * factor), columns = min(factor, width - ox * factor)
                    let n = rows * columns
                    let m = UInt32(Float(4_294_967_296.0) / Float(256 * n))  // Reduce.c's division_UINT32
                    for ch in 0..<channels {
                        var sum = UInt32(n / 2)
                        for y in 0..<rows {
                            for x in 0..<columns {
                                sum += UInt32(pixels[((oy * factor + y) * width + ox * factor + x) * channels + ch])
                            }
                        }
                        expected[(oy * outWidth + ox) * channels + ch] = UInt8((sum &* m) >> 24)
                    }
                }
            }
            var builds = [("baseline", ef_u8_reduce_baseline)]
            if avx2 { builds.append(("avx2", ef_u8_reduce_avx2)) }
            for (name, build) in builds {
                var out = [UInt8](repeating: 0, count: expected.count)
                var sums = [UInt32](repeating: 0, count: width * channels + 4)
                build(pixels, Int64(width), Int64(height), Int64(channels), Int64(factor), &sums, &out)
                XCTAssertEqual(out, expected, "\(name), trial \(trial): \(width)×\(height)×\(channels) by \(factor)")
            }
        }
    }

    /// Taps inside `0..<source`: Pillow-like weights (a positive bump summing to about 2^22, some
    /// negative lobes) or, when `wild`, any Int32 (the sums wrap the same way in every build).
    /// Some outputs read up to the last source sample, where the AVX2 build's loads stop early.
    private func randomTaps(_ rng: inout SeededGenerator, source: Int, outputs: Int, wild: Bool) -> Taps {
        let stride = 1 + rng.below(min(source, 11))
        var taps = Taps(first: [], count: [], weights: [Int32](repeating: 0, count: outputs * stride), stride: stride)
        for i in 0..<outputs {
            let n = 1 + rng.below(stride)
            let first = rng.below(4) == 0 ? source - n : rng.below(source - n + 1)
            taps.first.append(first)
            taps.count.append(n)
            for t in 0..<n {
                let weight = wild ? Int32(truncatingIfNeeded: rng.next())
                                  : Int32(rng.below(1 << 23) / n) - (rng.below(3) == 0 ? Int32(1 << 20) : 0)
                taps.weights[i * stride + t] = weight
            }
        }
        return taps
    }

    private func horizontalDefinition(_ pixels: [UInt8], width: Int, channels: Int, rows: Range<Int>,
                                      taps: Taps) -> [UInt8] {
        let outWidth = taps.first.count
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * channels)
        for (r, y) in rows.enumerated() {
            for x in 0..<outWidth {
                for ch in 0..<channels {
                    var sum = UInt32(1 << 21)
                    for t in 0..<taps.count[x] {
                        let p = pixels[(y * width + taps.first[x] + t) * channels + ch]
                        sum = sum &+ UInt32(p) &* UInt32(bitPattern: taps.weights[x * taps.stride + t])
                    }
                    out[(r * outWidth + x) * channels + ch] = clip8(sum)
                }
            }
        }
        return out
    }

    private func clip8(_ sum: UInt32) -> UInt8 {
        UInt8(min(max(Int32(bitPattern: sum) >> 22, 0), 255))
    }

    private func with(_ taps: Taps, _ body: (UnsafePointer<ef_resample_taps>) -> Void) {
        taps.first.withUnsafeBufferPointer { first in
            taps.count.withUnsafeBufferPointer { count in
                taps.weights.withUnsafeBufferPointer { weights in
                    var c = ef_resample_taps(first: first.baseAddress, count: count.baseAddress,
                                             weights: weights.baseAddress, stride: Int64(taps.stride))
                    body(&c)
                }
            }
        }
    }
}

private extension SeededGenerator {
    /// A value in 0 ..< max(n, 1).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
