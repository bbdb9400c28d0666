// The core `loop` op: its parameters' string-keyed form (the body as JSON, nested loops too), the
// checks a decoded body gets (it comes from untrusted files), the shape rule and the evaluator on
// loops small enough to follow by hand.

import EFCore
import EFIR
import XCTest
import EFTestSupport

final class LoopOpTests: XCTestCase {
    /// s ← s + x[t] over a scanned [4] input, each new s stacked last entry first.
    private func runningSum(checksCondition: Bool = false) -> LoopParameters {
        var nodes = [LoopBodyNode(name: "add", params: .binary(.add), inputs: ["s", "x_t"], outputs: ["s_next"])]
        var outputs = ["s_next", "s_next"]
        if checksCondition {
            nodes.append(LoopBodyNode(name: "less", params: .binary(.less), inputs: ["s_next", "limit"],
                                      outputs: ["go"]))
            outputs = ["go", "s_next"]
        }
        return LoopParameters(tripCount: 4, carriedCount: 1, scanInputAxes: [0], scanInputsReversed: [false],
                              scanOutputAxes: checksCondition ? [] : [0],
                              scanOutputsReversed: checksCondition ? [] : [true], countsIterations: false,
                              checksCondition: checksCondition,
                              body: LoopBody(inputs: ["s", "x_t", "limit"], nodes: nodes, outputs: outputs))
    }

    private let start = Tensor(shape: [], scalars: [Float(10)])
    private let x = Tensor(shape: [4], scalars: [Float(1), 2, 3, 4])
    private let limit = Tensor(shape: [], scalars: [Float(15)])

    func testTheParametersRoundTripThroughTheirStringKeyedFormNestedLoopsToo() throws {
        let loop = runningSum()
        XCTAssertEqual(try OpParameters(.loop, OpParameters.loop(loop).attributes), .loop(loop))
        var outer = runningSum()
        outer.body.nodes.append(LoopBodyNode(name: "inner", params: .loop(runningSum(checksCondition: true)),
                                             inputs: ["s", "x_t", "limit"], outputs: ["inner_s"]))
        XCTAssertEqual(try OpParameters(.loop, OpParameters.loop(outer).attributes), .loop(outer))
        let clip = try OpParameters(.unary, ["fn": .string("clip"), "alpha": .float(0), "beta": .float(.infinity)])
        outer.body.nodes.append(LoopBodyNode(name: "clip", params: clip, inputs: ["s"], outputs: ["clipped"]))
        XCTAssertEqual(try OpParameters(.loop, OpParameters.loop(outer).attributes), .loop(outer), "∞ survives")
        var checked = runningSum(checksCondition: true)
        checked.checksInitialCondition = true
        XCTAssertEqual(try OpParameters(.loop, OpParameters.loop(checked).attributes), .loop(checked))
    }

    func testTheEvaluatorThreadsTheStateAndStacksReversed() throws {
        let results = try ReferenceEvaluator.evaluate(.loop(runningSum()), [start, x, limit], outputCount: 2)
        XCTAssertEqual(results[0].scalars(as: Float.self), [20])
        XCTAssertEqual(results[1].scalars(as: Float.self), [20, 16, 13, 11], "10+1, +2, +3, +4, last first")
    }

    func testAComputedConditionStopsTheLoopAfterTheIterationThatGivesFalse() throws {
        let results = try ReferenceEvaluator.evaluate(.loop(runningSum(checksCondition: true)), [start, x, limit],
                                                      outputCount: 1)
        XCTAssertEqual(results[0].scalars(as: Float.self), [16], "11 and 13 go on, 16 stops before + 4")
    }

    func testAFalseInitialConditionRunsNoIteration() throws {
        var loop = runningSum(checksCondition: true)
        loop.checksInitialCondition = true
        let no = [UInt8(0)].withUnsafeBytes { Tensor(dtype: .bool, shape: [], bytes: $0) }
        let results = try ReferenceEvaluator.evaluate(.loop(loop), [no, start, x, limit], outputCount: 1)
        XCTAssertEqual(results[0].scalars(as: Float.self), [10], "the initial state, untouched")
        assertEdgeflowError(.invalidModel, ["initial condition"]) {
            _ = try ReferenceEvaluator.evaluate(.loop(loop), [self.start, self.start, self.x, self.limit],
                                                outputCount: 1)
        }
    }

    func testTheShapeRuleStacksPartsAndRefusesWhatDoesNotFit() throws {
        let f = TensorType(.float32, [])
        let types = try OpShapes.infer(OpInstance(.loop(runningSum()), outputCount: 2),
                                       inputTypes: [f, TensorType(.float32, [4]), f])
        XCTAssertEqual(types, [f, TensorType(.float32, [4])])
        assertEdgeflowError(.invalidModel, ["scanned input 0", "4 entries"]) {
            _ = try OpShapes.infer(OpInstance(.loop(self.runningSum()), outputCount: 2),
                                   inputTypes: [f, TensorType(.float32, [5]), f])
        }
        assertEdgeflowError(.invalidModel, ["carried value 0"]) {
            _ = try OpShapes.infer(OpInstance(.loop(self.runningSum()), outputCount: 2),
                                   inputTypes: [f, TensorType(.float32, [4, 3]), TensorType(.float32, [3])])
        }
    }

    func testADecodedBodyMustDefineWhatItReadsOnce() throws {
        func decode(_ edit: (inout Attributes) -> Void) throws {
            var attributes = OpParameters.loop(runningSum()).attributes
            edit(&attributes)
            _ = try OpParameters(.loop, attributes)
        }
        func body(_ json: String) -> (inout Attributes) -> Void { { $0["body"] = .string(json) } }
        func bodyJSON(reads: String, defines: String, inputs: String = #"["s","x_t","limit"]"#,
                      outputs: String = #"["s_next","s_next"]"#) -> String {
            let node = #"{"name":"add","op":"binary","params":{"fn":"add"},"inputs":["s","\#(reads)"],"#
                + #""outputs":["\#(defines)"]}"#
            return #"{"inputs":\#(inputs),"nodes":[\#(node)],"outputs":\#(outputs)}"#
        }
        XCTAssertNoThrow(try decode(body(bodyJSON(reads: "x_t", defines: "s_next"))))
        assertEdgeflowError(.invalidModel, ["reads 'ghost'"]) {
            try decode(body(bodyJSON(reads: "ghost", defines: "s_next")))
        }
        assertEdgeflowError(.invalidModel, ["defines 's'"]) { try decode(body(bodyJSON(reads: "x_t", defines: "s"))) }
        assertEdgeflowError(.invalidModel, ["defines 'x_t'"]) {
            try decode(body(bodyJSON(reads: "x_t", defines: "s_next", inputs: #"["s","x_t","x_t"]"#)))
        }
        assertEdgeflowError(.invalidModel, ["output 's_next'"]) {
            try decode(body(bodyJSON(reads: "x_t", defines: "y")))
        }
        assertEdgeflowError(.invalidModel, ["not a body"]) { try decode(body("[1, 2")) }
        assertEdgeflowError(.invalidModel, ["trip count 0"]) { try decode { $0["tripCount"] = .int(0) } }
        assertEdgeflowError(.invalidModel, ["does not fit"]) { try decode { $0["carried"] = .int(2) } }
        assertEdgeflowError(.invalidModel, ["flags of 0 or 1"]) {
            try decode { $0["scanOutputsReversed"] = .ints([2]) }
        }
        assertEdgeflowError(.invalidModel, ["stop early", "stack"]) {
            try decode {
                $0["checksCondition"] = .int(1)
                let threeOutputs = #"["s_next","s_next","s_next"]"#
                $0["body"] = .string(bodyJSON(reads: "x_t", defines: "s_next", outputs: threeOutputs))
            }
        }
    }
}
