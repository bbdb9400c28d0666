// What the TFLite importer refuses about control flow, each with a message naming the operator:
// a WHILE whose trip count depends on the data, a run-time IF whose branches give different
// shapes, a body that uses its own subgraph, and an unsupported operator inside a subgraph
// (listed with the main graph's, its subgraph named). Models: make_tflite_control_flow_goldens.py.

import EFCore
import EFTFLite
import EFTestSupport
import XCTest

final class TFLiteControlFlowTests: XCTestCase {
    private func assertRefused(_ model: String, _ kind: EdgeflowError.Kind, _ fragments: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
        let url = TestData.goldens.appendingPathComponent("tflite_ops/\(model).tflite")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: url), model, file: file, line: line) { error in
            let failure = error as? EdgeflowError
            XCTAssertEqual(failure?.kind, kind, "\(error)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(failure?.message.contains(fragment) == true, "\(fragment): \(error)",
                              file: file, line: line)
            }
        }
    }

    func testARunTimeIfWithBranchesOfDifferentShapesIsRefused() {
        assertRefused("if_mismatched_branches", .unsupported,
                      ["operator 0 (IF)", "float32[1, 4] in the then branch", "float32[1, 2] in the else branch"])
    }

    func testABodyThatUsesItselfIsRefused() {
        assertRefused("while_recursive", .unsupported, ["subgraph 2 (body, iteration 0) uses itself"])
    }

    func testALoopThatChangesNothingIsRefusedAtOnce() {
        assertRefused("while_forever", .unsupported, ["operator 0 (WHILE) never ends"])
    }

    func testAnUnsupportedOperatorInsideABodyIsNamedWithItsSubgraph() {
        assertRefused("while_unsupported", .unsupported, ["SEGMENT_SUM in subgraph 2 (operator 1)"])
    }
}
