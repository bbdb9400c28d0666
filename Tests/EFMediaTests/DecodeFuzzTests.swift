// A bounded fuzz run over ImageDecoder: random bytes and mutated fixtures (bit flips,
// truncation, spliced chunks, random bytes behind a valid magic) of every format. Every call
// must either return a well-formed RGB image or throw EdgeflowError. Deterministic (seeded);
// about 3 s in a release build, fewer iterations in debug. Each input is written to
// $TMPDIR/edgeflow-decode-fuzz-last.bin before it is decoded, so a crash leaves it behind.
// EDGEFLOW_FUZZ_SECONDS=N (and EDGEFLOW_FUZZ_SEED) run a longer campaign by hand.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class DecodeFuzzTests: XCTestCase {
    func testRandomAndMutatedInputsNeverCrash() throws {
        let seeds = try DecodeBadInputTests.smallFixtures.map { try DecodeBadInputTests.fixture($0) }
            + [try DecodeBadInputTests.fixture("tiny_jpeg.jpg"), try DecodeBadInputTests.fixture("tiny_gif.gif"),
               try DecodeBadInputTests.fixture("jpeg_orientation_5.jpg"), try DecodeBadInputTests.fixture("png_exif_orientation_6.png")]
        let environment = ProcessInfo.processInfo.environment
        let requested = environment["EDGEFLOW_FUZZ_SECONDS"].flatMap(TimeInterval.init)
        let budget: TimeInterval = requested ?? (TestData.isOptimizedBuild ? 3.0 : 1.5)
        let maxIterations = requested != nil ? Int.max : TestData.isOptimizedBuild ? 200_000 : 20_000
        let options = DecodeOptions(maxPixels: 1 << 20)  // keep mutated headers from allocating much
        let lastInput = FileManager.default.temporaryDirectory.appendingPathComponent("edgeflow-decode-fuzz-last.bin")
        var rng = SeededGenerator(seed: environment["EDGEFLOW_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xED6E_F10F)
        var decodedCount = 0, refusedCount = 0, iterations = 0
        let start = Date()
        while iterations < maxIterations && Date().timeIntervalSince(start) < budget {
            iterations += 1
            let input = Self.mutate(seeds, &rng)
            try Data(input).write(to: lastInput)
            do {
                let decoded = try ImageDecoder.decode(bytes: input, options: options)
                let image = decoded.image
                XCTAssertEqual(image.channels, 3)
                XCTAssertGreaterThanOrEqual(min(image.width, image.height), 1)
                XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
                XCTAssertLessThanOrEqual(decoded.storedWidth * decoded.storedHeight, options.maxPixels)
                decodedCount += 1
            } catch is EdgeflowError {
                refusedCount += 1
            } catch {
                XCTFail("iteration \(iterations): \(error) is not an EdgeflowError")
            }
        }
        try? FileManager.default.removeItem(at: lastInput)
        print("decode fuzz: \(iterations) inputs in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: \(decodedCount) decoded, \(refusedCount) refused")
        XCTAssertGreaterThan(iterations, 200)
        XCTAssertGreaterThan(decodedCount, 0, "some mutations (e.g. flips in pixel data) should still decode")
        XCTAssertGreaterThan(refusedCount, 0)
    }

    static func mutate(_ seeds: [[UInt8]], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:  // a few bit flips anywhere
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case 1:  // bit flips in the header region
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<min(bytes.count, 64), using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case 2:  // truncation
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case 3:  // splice: a run from another seed written over a random position
            let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            let length = Int.random(in: 1...min(256, other.count), using: &rng)
            let from = Int.random(in: 0...(other.count - length), using: &rng)
            let to = Int.random(in: 0..<bytes.count, using: &rng)
            for i in 0..<length where to + i < bytes.count { bytes[to + i] = other[from + i] }
        case 4:  // valid magic, random body
            let keep = min(bytes.count, Int.random(in: 4...40, using: &rng))
            bytes = Array(bytes.prefix(keep)) + (0..<Int.random(in: 0...2000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default:  // pure random bytes
            bytes = (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        return bytes
    }
}
