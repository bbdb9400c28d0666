// An `If` decided at run time runs only the branch taken: the importer guards each branch's
// nodes with the condition, the interpreter and the compiled program skip the other branch (a
// Gather out of range in the branch not taken no longer fails the run), RunConditions drops the
// guards a graph does not justify, and the plan carries the conditions through its JSON.

import EFCompiler
import EFCore
import EFInterpreter
import EFIR
import EFONNX
import EFRuntime
import EFTestSupport
import Foundation
import XCTest

final class RunConditionTests: XCTestCase {
    private func node(_ op: String, _ inputs: [String], _ output: String,
                      _ attributes: [String: OnnxAttribute] = [:]) -> OnnxNode {
        var node = OnnxNode()
        node.opType = op
        node.name = output
        node.inputs = inputs
        node.outputs = [output]
        node.attributes = attributes
        return node
    }

    private func branch(_ name: String, _ body: OnnxNode) -> OnnxGraph {
        var graph = OnnxGraph()
        graph.name = name
        graph.nodes = [body]
        var info = OnnxValueInfo()
        info.name = body.outputs[0]
        info.elemType = 1
        graph.outputs = [info]
        return graph
    }

    /// y = cond ? Gather(x, i) : ReduceMax(x), x float32[4], i int64[1], cond bool[].
    private func ifGraph() throws -> Graph {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [4]))
        ctx.addInput("i", TensorType(.int64, [1]))
        ctx.addInput("cond", TensorType(.bool, []))
        let gather = node("Gather", ["x", "i"], "picked", ["axis": .int(0)])
        let reduce = node("ReduceMax", ["x"], "largest", ["keepdims": .int(1)])
        let ifNode = node("If", ["cond"], "y", ["then_branch": .graph(branch("then", gather)),
                                                 "else_branch": .graph(branch("else", reduce))])
        guard let importer = OpImporterRegistry.importer(for: ifNode) else { throw XCTSkip("no If importer") }
        try importer(ifNode, ctx)
        return Graph(name: "if", inputs: ["x", "i", "cond"], outputs: ["y"], nodes: ctx.nodes, types: ctx.types,
                     weights: ctx.weights)
    }

    private func inputs(index: Int64, condition: Bool) -> [String: Tensor] {
        ["x": Tensor(shape: [4], scalars: [Float(3), 9, -2, 5]),
         "i": Tensor(shape: [1], scalars: [index]),
         "cond": [UInt8(condition ? 1 : 0)].withUnsafeBytes { Tensor(dtype: .bool, shape: [], bytes: $0) }]
    }

    func testTheImporterGuardsEachBranchWithTheCondition() throws {
        let graph = try ifGraph()
        let guarded = graph.nodes.filter { !$0.runsWhen.isEmpty }
        XCTAssertEqual(guarded.map(\.op), [.gather, .reduce])
        XCTAssertEqual(guarded.map(\.runsWhen), [[RunCondition("cond", whenTrue: true)],
                                                 [RunCondition("cond", whenTrue: false)]])
        XCTAssertEqual(RunConditions.checked(graph).nodes.map(\.runsWhen), graph.nodes.map(\.runsWhen),
                       "the where justifies both guards")
    }

    func testOnlyTheBranchTakenRuns() throws {
        let graph = try ifGraph()
        let interpreter = Interpreter(graph: graph)
        let compiled = try ModelPipeline.compile(graph)
        XCTAssertTrue(compiled.plan.steps.contains { !$0.runsWhen.isEmpty }, "the compiled steps keep the guards")
        let runners: [(String, ([String: Tensor]) throws -> [String: Tensor])] = [
            ("interpreter", { try interpreter.run($0) }),
            ("compiled", { try ExecutionContext(program: compiled.program).run($0) }),
        ]
        for (name, run) in runners {
            // Index 10 is out of range for the then branch: only the else branch may run.
            XCTAssertEqual(try run(inputs(index: 10, condition: false))["y"]?.scalars(as: Float.self), [9], name)
            XCTAssertEqual(try run(inputs(index: 2, condition: true))["y"]?.scalars(as: Float.self), [-2], name)
            XCTAssertThrowsError(try run(inputs(index: 10, condition: true)), "\(name): the taken branch traps")
        }
    }

    func testUnjustifiedGuardsAreDropped() throws {
        let condition = RunCondition("c", whenTrue: true)
        func graph(_ nodes: [Node], outputs: [String] = ["z"],
                   conditionType: TensorType = TensorType(.bool, [1])) -> Graph {
            Graph(name: "g", inputs: ["x", "c"], outputs: outputs, nodes: nodes,
                  types: ["x": TensorType(.float32, [2]), "c": conditionType, "a": TensorType(.float32, [2]),
                          "b": TensorType(.float32, [2]), "z": TensorType(.float32, [2])])
        }
        let guardedRelu = Node(name: "relu", .unary(UnaryOp(.relu)), inputs: ["x"], outputs: ["a"],
                               runsWhen: [condition])
        let neg = Node(name: "neg", .unary(UnaryOp(.neg)), inputs: ["x"], outputs: ["b"])
        let select = Node(name: "select", .select, inputs: ["c", "a", "b"], outputs: ["z"])
        let wrongArm = Node(name: "select", .select, inputs: ["c", "b", "a"], outputs: ["z"])
        let plainReader = Node(name: "abs", .unary(UnaryOp(.abs)), inputs: ["a"], outputs: ["z"])
        XCTAssertEqual(RunConditions.checked(graph([guardedRelu, neg, select])).nodes[0].runsWhen, [condition])
        XCTAssertEqual(RunConditions.checked(graph([guardedRelu, neg, wrongArm])).nodes[0].runsWhen, [],
                       "the where takes the value when the condition is false")
        XCTAssertEqual(RunConditions.checked(graph([guardedRelu, plainReader])).nodes[0].runsWhen, [],
                       "an unguarded reader needs the value")
        XCTAssertEqual(RunConditions.checked(graph([guardedRelu, neg, select], outputs: ["a", "z"]))
                           .nodes[0].runsWhen, [], "a graph output is always needed")
        let floatCondition = graph([guardedRelu, neg, select], conditionType: TensorType(.float32, [1]))
        XCTAssertEqual(RunConditions.checked(floatCondition).nodes[0].runsWhen, [], "a condition must be one bool")
        var late = guardedRelu
        late.runsWhen = [RunCondition("b", whenTrue: true)]
        XCTAssertEqual(RunConditions.checked(graph([late, neg, select])).nodes[0].runsWhen, [],
                       "a condition defined after the node cannot guard it")
    }

    func testThePlanCarriesConditionsAndChecksThem() throws {
        let compiled = try Compiler.compile(try ifGraph())
        let decoded = try JSONDecoder().decode(ProgramPlan.self, from: try JSONEncoder().encode(compiled.plan))
        XCTAssertEqual(decoded, compiled.plan)
        var broken = compiled.plan
        let guarded = try XCTUnwrap(broken.steps.firstIndex { !$0.runsWhen.isEmpty })
        broken.steps[guarded].runsWhen = [RunCondition("x", whenTrue: true)]
        XCTAssertThrowsError(try ProgramBuilder.build(broken, constants: compiled.constants)) { error in
            let message = (error as? EdgeflowError).map { "\($0.kind) \($0.message)" } ?? "\(error)"
            XCTAssert(message.contains("invalidModel") && message.contains("condition 'x'"), message)
        }
    }
}
