// A dynamic batch dim (first axis named like a batch, or unnamed) becomes 1 with a note
// instead of an error; other dynamic dims still need --input-shape, which always wins.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class DynamicBatchTests: XCTestCase {
    func testBatchLikeFirstDimsBecomeOneWithANote() throws {
        // unk__314: tf2onnx's name for a dim TF left as None (openWakeWord's embedding model);
        // DynamicDimension.0: Paddle2ONNX's (RapidAI's orientation classifier).
        for name in ["batch_size", "batch", "N", "None", "", "-1", "0", "unk_batch", "BatchSize", "unk__314",
                     "DynamicDimension.0"] {
            let model = TestModels.shapeModel(xDims: [.param(name), .value(3)])
            let (graph, notes) = try ImportNotes.collect { try importBytes(model) }
            XCTAssertEqual(graph.types[graph.inputs[0]]?.shape, [1, 3], "dim_param '\(name)'")
            XCTAssertEqual(notes.count, 1, "dim_param '\(name)': \(notes)")
            let note = notes.first ?? ""
            XCTAssertTrue(note.contains("graph input 'x': dynamic batch dim 0"), note)
            XCTAssertTrue(note.contains("set to 1"), note)
            XCTAssertTrue(note.contains("--input-shape x=<"), note)
            XCTAssertTrue(note.hasSuffix(">,3"), note)
        }
    }

    func testNegativeFirstDimValueIsABatchToo() throws {
        let model = TestModels.shapeModel(xDims: [.value(-1), .value(3)])
        let (graph, notes) = try ImportNotes.collect { try importBytes(model) }
        XCTAssertEqual(graph.types[graph.inputs[0]]?.shape, [1, 3])
        XCTAssertEqual(notes, ["graph input 'x': dynamic batch dim 0 set to 1; for another batch size give "
                                + "--input-shape x=<n>,3"])
    }

    func testOtherDynamicDimsStillNeedInputShape() {
        let unknownElsewhere = TestModels.shapeModel(xDims: [.param("unk__"), .value(3)])
        assertEdgeflowError(.unsupported, ["dim 0 ('unk__')"]) { try importBytes(unknownElsewhere) }
        let named = TestModels.shapeModel(xDims: [.param("sequence"), .value(3)])
        assertEdgeflowError(.unsupported, ["dim 0 ('sequence')", "--input-shape x=<sequence>,3"]) {
            try importBytes(named)
        }
        let second = TestModels.shapeModel(xDims: [.param("batch"), .param("height")])
        assertEdgeflowError(.unsupported, ["dim 1 ('height')", "--input-shape x=1,<height>"]) {
            try importBytes(second)
        }
    }

    func testInputShapeOverridesTheDefaultWithoutANote() throws {
        let model = TestModels.shapeModel(xDims: [.param("batch"), .value(3)])
        let (graph, notes) = try ImportNotes.collect {
            try importBytes(model, options: ImportOptions(inputShapes: ["x": [4, 3]]))
        }
        XCTAssertEqual(graph.types[graph.inputs[0]]?.shape, [4, 3])
        XCTAssertEqual(notes, [])
    }

    func testStaticModelsMakeNoNotesAndNotesNeedACollector() throws {
        let (_, notes) = try ImportNotes.collect { try importBytes(TestModels.shapeModel()) }
        XCTAssertEqual(notes, [])
        XCTAssertNil(ImportNotes.current)
        let dynamic = TestModels.shapeModel(xDims: [.param("N"), .value(3)])
        let graph = try importBytes(dynamic)
        XCTAssertEqual(graph.types[graph.inputs[0]]?.shape, [1, 3], "defaults without a collector too")
    }
}
