// Plays the committed single-op cases of Tests/Goldens/ort-op-cases (old-opset attribute forms
// and edge cases the ONNX backend suite lacks; expected outputs from onnxruntime, written by
// tools/goldens/make_ort_op_cases.py in the suite's layout) with the conformance runner's case
// player. Every case must pass: unlike the suite, they need no setup and have no manifest.

import EFTestSupport
import Foundation
import XCTest

final class OrtOpCaseTests: XCTestCase {
    func testEveryOrtOpCasePasses() throws {
        let root = TestData.goldens.appendingPathComponent("ort-op-cases")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertGreaterThan(names.count, 80, "cases missing: run tools/goldens/make_ort_op_cases.py")
        var failures: [String] = []
        for name in names {
            var conformanceCase = ConformanceCase(id: name, directory: root.appendingPathComponent(name))
            let outcome = conformanceCase.run()
            if outcome != .pass { failures.append("\(name): \(outcome.reason)") }
        }
        print("ort op cases: \(names.count - failures.count) passed, \(failures.count) failed")
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }
}
