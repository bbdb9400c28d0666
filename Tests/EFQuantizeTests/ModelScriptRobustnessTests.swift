// Damaged model scripts: the committed every-command fuzz seed cut at every byte and with
// seeded random byte changes. Each must parse or be refused as invalid input, never crash or
// report an internal error.

import EFCore
import EFQuantize
import EFTestSupport
import Foundation
import XCTest

final class ModelScriptRobustnessTests: XCTestCase {
    private func seed() throws -> [UInt8] {
        let url = TestData.repoRoot.appendingPathComponent("Fuzz/seeds/model-script/every-command.alls")
        return [UInt8](try Data(contentsOf: url))
    }

    /// Parses `bytes`; returns whether it was accepted, failing on anything but `.invalidInput`.
    private func outcome(_ bytes: [UInt8]) -> Bool {
        do {
            let script = try ModelScript(parsing: String(decoding: bytes, as: UTF8.self), fileName: "damaged.alls")
            _ = script.settings
            _ = try? script.precisions(layerNames: ["conv1", "conv2", "fc1", "fc2", "input_layer1"])
            return true
        } catch let error as EdgeflowError {
            XCTAssertEqual(error.kind, .invalidInput, error.message)
            XCTAssertTrue(error.message.hasPrefix("damaged.alls:"), error.message)
            return false
        } catch {
            XCTFail("not an EdgeflowError: \(error)")
            return false
        }
    }

    func testEveryTruncation() throws {
        let bytes = try seed()
        XCTAssertTrue(outcome(bytes))
        var accepted = 0, refused = 0
        for end in 0..<bytes.count {
            if outcome(Array(bytes[..<end])) { accepted += 1 } else { refused += 1 }
        }
        // Cuts at line ends parse; cuts inside a command do not.
        XCTAssertGreaterThan(accepted, 10)
        XCTAssertGreaterThan(refused, bytes.count / 2)
    }

    func testRandomByteChanges() throws {
        let bytes = try seed()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let alphabet = Array("()[]{},=#\"'*?-+.e0123456789 \n\tazAZ_/:\u{0}\u{FF}".utf8)
        var refused = 0
        for _ in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<(1 + next() % 4) {
                let position = next() % mutated.count
                switch next() % 3 {
                case 0: mutated[position] = alphabet[next() % alphabet.count]
                case 1: mutated.remove(at: position)
                default: mutated.insert(alphabet[next() % alphabet.count], at: position)
                }
            }
            if !outcome(mutated) { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 1_000)
    }
}
