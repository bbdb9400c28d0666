// If and LSTM import: a condition only known at run time selects between both branches, unless
// their shapes differ (then refused, naming the graph input and --input-value); refusals of
// branches that disagree on output types, a condition that is not one bool,
// LSTM features Edgeflow does not lower (named); and an If whose branch reads outer values.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import XCTest

final class ControlFlowImportTests: XCTestCase {
    private func branch(_ name: String, _ nodes: [OnnxNode], output: String, elemType: Int = 1) -> OnnxGraph {
        var graph = OnnxGraph()
        graph.name = name
        graph.nodes = nodes
        var info = OnnxValueInfo()
        info.name = output
        info.elemType = elemType
        graph.outputs = [info]
        return graph
    }

    private func context(condition: Bool?) -> ImportContext {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        if let condition {
            ctx.addWeight("cond", [UInt8(condition ? 1 : 0)].withUnsafeBytes {
                Tensor(dtype: .bool, shape: [], bytes: $0)
            })
        } else {
            ctx.addInput("cond", TensorType(.bool, []))
        }
        return ctx
    }

    private func ifNode(_ thenBranch: OnnxGraph, _ elseBranch: OnnxGraph) -> OnnxNode {
        onnxNode("If", ["cond"], ["y"], ["then_branch": .graph(thenBranch), "else_branch": .graph(elseBranch)])
    }

    func testTheTakenBranchReadsOuterValues() throws {
        for taken in [true, false] {
            let ctx = context(condition: taken)
            try importNode(ifNode(branch("then", [onnxNode("Relu", ["x"], ["a"])], output: "a"),
                                  branch("else", [onnxNode("Neg", ["x"], ["b"])], output: "b")), ctx)
            XCTAssertEqual(ctx.nodes.count, 1)
            XCTAssertEqual(ctx.nodes[0].attributes["fn"], .string(taken ? "relu" : "neg"), "\(ctx.nodes[0])")
            XCTAssertEqual(try ctx.type(ctx.value("y")), TensorType(.float32, [2, 3]))
        }
    }

    func testARunTimeConditionSelectsBetweenBothBranches() throws {
        let ctx = context(condition: nil)
        try importNode(ifNode(branch("then", [onnxNode("Relu", ["x"], ["a"])], output: "a"),
                              branch("else", [onnxNode("Neg", ["x"], ["a"])], output: "a")), ctx)
        XCTAssertEqual(ctx.nodes.map(\.op), [.unary, .unary, .where])
        XCTAssertEqual(ctx.nodes[2].inputs[0], "cond")
        XCTAssertEqual(ctx.nodes[2].outputs, ["y"])
        XCTAssertNotEqual(ctx.nodes[0].outputs, ctx.nodes[1].outputs, "both branches define 'a': scoped apart")
        XCTAssertEqual(try ctx.type("y"), TensorType(.float32, [2, 3]))
    }

    func testARunTimeConditionWithBranchesOfDifferentShapesIsRefused() {
        let ctx = context(condition: nil)
        let transpose = onnxNode("Transpose", ["x"], ["b"], ["perm": .ints([1, 0])])
        XCTAssertThrowsError(try importNode(ifNode(branch("then", [onnxNode("Relu", ["x"], ["a"])], output: "a"),
                                                   branch("else", [transpose], output: "b")), ctx)) { error in
            let role = (error as? NonConstantOperand)?.role ?? "\(error)"
            XCTAssert(role.hasPrefix("condition") && role.contains("[3, 2]"), role)
        }
    }

    func testBranchesThatDisagreeOnTypesAreRefused() {
        let ctx = context(condition: true)
        assertEdgeflowError(.invalidModel, ["disagree on output 0", "float32", "int64"]) {
            try importNode(ifNode(branch("then", [onnxNode("Relu", ["x"], ["a"])], output: "a"),
                                  branch("else", [onnxNode("Shape", ["x"], ["b"])], output: "b", elemType: 7)), ctx)
        }
    }

    func testAConditionThatIsNotOneBoolIsRefused() {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        ctx.addWeight("cond", Tensor(shape: [2], scalars: [Float(1), 0]))
        assertEdgeflowError(.invalidModel, ["must be one bool"]) {
            try importNode(ifNode(branch("then", [onnxNode("Relu", ["x"], ["a"])], output: "a"),
                                  branch("else", [onnxNode("Neg", ["x"], ["b"])], output: "b")), ctx)
        }
    }

    func testLSTMFeaturesThatAreNotLoweredAreNamed() {
        func lstm(_ extraInputs: [String], _ attributes: [String: OnnxAttribute]) -> () throws -> Void {
            {
                let ctx = ImportContext(opset: 14)
                ctx.addInput("X", TensorType(.float32, [4, 1, 2]))
                ctx.addWeight("W", Tensor(zeros: .float32, shape: [1, 12, 2]))
                ctx.addWeight("R", Tensor(zeros: .float32, shape: [1, 12, 3]))
                ctx.addInput("lens", TensorType(.int32, [1]))
                try importNode(onnxNode("LSTM", ["X", "W", "R"] + extraInputs, ["Y"],
                                        attributes.merging(["hidden_size": .int(3)]) { a, _ in a }), ctx)
            }
        }
        XCTAssertNoThrow(try lstm(["", "lens"], [:])())   // run-time lengths mask the steps
        assertEdgeflowError(.unsupported, ["clip"], lstm([], ["clip": .float(3)]))
        assertEdgeflowError(.unsupported, ["input_forget"], lstm([], ["input_forget": .int(1)]))
        assertEdgeflowError(.unsupported, ["activations"],
                            lstm([], ["activations": .strings(["Relu", "Tanh", "Tanh"].map { Data($0.utf8) })]))
    }

    func testSileroWithoutItsSampleRateNamesTheInputToFreeze() throws {
        guard let model = TestData.fetchedFile("models/silero/silero_vad.onnx") else {
            throw XCTSkip("scripts/setup.sh fetches the silero-vad wheel; it has not run")
        }
        assertEdgeflowError(.unsupported, ["'sr'", "--input-value"]) {
            try ONNXImporter.importModel(at: model, options: ImportOptions(inputShapes: ["input": [1, 512],
                                                                                        "state": [2, 1, 128]]))
        }
    }

    private func loopBody() -> OnnxGraph {
        var body = branch("body", [onnxNode("Identity", ["cond_in"], ["cond_out"]),
                                   onnxNode("Neg", ["v_in"], ["v_out"])], output: "cond_out", elemType: 9)
        var second = OnnxValueInfo()
        second.name = "v_out"
        body.outputs.append(second)
        body.inputs = ["iter", "cond_in", "v_in"].map { name in
            var info = OnnxValueInfo()
            info.name = name
            return info
        }
        return body
    }

    func testALoopWithoutAStaticBoundIsRefused() {
        let ctx = context(condition: nil)  // cond is a graph input: known only at run time
        XCTAssertThrowsError(try importNode(onnxNode("Loop", ["", "cond", "x"], ["v"], ["body": .graph(loopBody())]),
                                            ctx)) { error in
            XCTAssertEqual((error as? NonConstantOperand)?.role, "loop condition", "\(error)")
        }
        let long = context(condition: true)
        long.addWeight("trips", Tensor(shape: [], scalars: [Int64(5000)]))
        XCTAssertNoThrow(try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v"], ["body": .graph(loopBody())]),
                                        long))
        XCTAssertEqual(long.nodes.map(\.op), [.loop], "5,000 iterations run as one runtime loop, not unrolled")
        let counted = context(condition: true)
        counted.addWeight("trips", Tensor(shape: [], scalars: [Int64(3)]))
        XCTAssertNoThrow(try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v"], ["body": .graph(loopBody())]),
                                        counted))
        XCTAssertEqual(counted.nodes.count, 3, "three iterations of Neg")
    }

    func testARuntimeLoopRefusesABodyWhoseShapesDependOnTheIteration() {
        var body = loopBody()
        body.nodes += [onnxNode("Unsqueeze", ["iter", "axes"], ["iter1"]),
                       onnxNode("ConstantOfShape", ["iter1"], ["filler"])]
        var filler = OnnxValueInfo()
        filler.name = "filler"
        body.outputs.append(filler)
        let ctx = context(condition: true)
        ctx.addWeight("trips", Tensor(shape: [], scalars: [Int64(5000)]))
        ctx.addWeight("axes", Tensor(shape: [1], scalars: [Int64(0)]))
        assertEdgeflowError(.unsupported, ["'filler'", "'iter1'", "from the iteration"]) {
            try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v", "fillers"], ["body": .graph(body)]), ctx)
        }
        XCTAssertTrue(ctx.nodes.isEmpty, "nothing of the refused body is left in the graph")
    }

    /// A while loop as exporters write it: M = 2^63 − 1 and a condition the body computes.
    func testAWhileLoopBoundedByTheLargestMStopsOnItsCondition() throws {
        var body = loopBody()
        body.nodes = [onnxNode("Add", ["v_in", "one"], ["v_out"]), onnxNode("ReduceMax", ["v_out"], ["largest"],
                                                                           ["keepdims": .int(0)]),
                      onnxNode("Less", ["largest", "limit"], ["cond_out"])]
        let ctx = context(condition: true)
        ctx.addWeight("trips", Tensor(shape: [], scalars: [Int64.max]))
        ctx.addWeight("one", Tensor(shape: [], scalars: [Float(1)]))
        ctx.addWeight("limit", Tensor(shape: [], scalars: [Float(5)]))
        try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v"], ["body": .graph(body)]), ctx)
        guard ctx.nodes.count == 1, case .loop(let loop) = ctx.nodes[0].params else {
            return XCTFail("expected one runtime loop, got \(ctx.nodes.map(\.op))")
        }
        XCTAssertTrue(loop.checksCondition)
        XCTAssertEqual(loop.tripCount, Int(Int64.max))
        let inputs = ctx.nodes[0].inputs.map { ctx.constant($0) ?? Tensor(zeros: .float32, shape: [2, 3]) }
        let results = try ReferenceEvaluator.evaluate(ctx.nodes[0].params, inputs, outputCount: 1)
        XCTAssertEqual(results[0].scalars(as: Float.self), [Float](repeating: 5, count: 6),
                       "0 + 1 five times, then 5 < 5 stops")
    }

    /// A condition known only at run time, bounded by M: a runtime loop that checks it first.
    func testARunTimeConditionMakesARuntimeLoopThatMayRunNoIteration() throws {
        let ctx = context(condition: nil)
        ctx.addWeight("trips", Tensor(shape: [], scalars: [Int64(3)]))
        try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v"], ["body": .graph(loopBody())]), ctx)
        guard ctx.nodes.count == 1, case .loop(let loop) = ctx.nodes[0].params else {
            return XCTFail("expected one runtime loop, got \(ctx.nodes.map(\.op))")
        }
        XCTAssertTrue(loop.checksInitialCondition)
        XCTAssertFalse(loop.checksCondition, "the body passes its condition through")
        let x = Tensor(shape: [2, 3], scalars: [Float(1), -2, 3, -4, 5, -6])
        for (flag, expected) in [(false, x), (true, Tensor(shape: [2, 3], scalars: [Float(-1), 2, -3, 4, -5, 6]))] {
            let condition = [UInt8(flag ? 1 : 0)].withUnsafeBytes { Tensor(dtype: .bool, shape: [], bytes: $0) }
            let inputs = ctx.nodes[0].inputs.map { $0 == "cond" ? condition : $0 == "x" ? x : ctx.constant($0)! }
            let result = try ReferenceEvaluator.evaluate(ctx.nodes[0].params, inputs, outputCount: 1)[0]
            XCTAssertEqual(result.scalars(as: Float.self), expected.scalars(as: Float.self),
                           flag ? "three negations" : "no iteration")
        }
    }

    func testARuntimeLoopRefusesABodyThatChangesACarriedShape() {
        var body = loopBody()
        body.nodes = [onnxNode("Identity", ["cond_in"], ["cond_out"]),
                      onnxNode("Concat", ["v_in", "v_in"], ["v_out"], ["axis": .int(0)])]
        let ctx = context(condition: true)
        ctx.addWeight("trips", Tensor(shape: [], scalars: [Int64(5000)]))
        assertEdgeflowError(.unsupported, ["carried value 0", "float32[4, 3]", "float32[2, 3]"]) {
            try importNode(onnxNode("Loop", ["trips", "cond", "x"], ["v"], ["body": .graph(body)]), ctx)
        }
    }
}
