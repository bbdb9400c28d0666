// After warm-up a run allocates no tensor memory (counted), and results do not depend on the
// thread count beyond float tolerance.

import EFCompiler
import EFCore
import EFIR
import EFKernels
import EFRuntime
import EFTestSupport
import XCTest

final class SteadyStateTests: XCTestCase {
    /// A conv block, a residual, a matMul head: every step on a fast kernel.
    private func convNet() throws -> Graph {
        var g = TestGraphBuilder()
        let x = g.input("x", [1, 8, 16, 16])
        let w1 = g.weight("w1", testTensor([16, 8, 3, 3], seed: 2)), b1 = g.weight("b1", testTensor([16], seed: 3))
        let w2 = g.weight("w2", testTensor([16, 16, 3, 3], seed: 4))
        let conv: Attributes = ["pads": .ints([1, 1, 1, 1])]
        let c1 = try g.node(.conv, [x, w1, b1], conv)
        let r1 = try g.node(.unary, [c1], ["fn": .string("relu")])
        let c2 = try g.node(.conv, [r1, w2], conv)
        let sum = try g.node(.binary, [c2, r1], ["fn": .string("add")])
        let act = try g.node(.unary, [sum], ["fn": .string("hardSwish")])
        let flat = try g.node(.reshape, [act], ["shape": .ints([16, 256])])
        let head = g.weight("head", testTensor([256, 10], seed: 5))
        g.output(try g.node(.matMul, [flat, head]))
        return g.graph
    }

    func testNoTensorAllocationPerRunAfterWarmUp() throws {
        let graph = try convNet()
        let compiled = try ModelPipeline.compile(graph)
        XCTAssertEqual(compiled.report.fallbacks.map(\.node), [], "every step should be on a fast kernel")
        let context = ExecutionContext(program: compiled.program)
        let input = testTensor([1, 8, 16, 16])
        input.withUnsafeBytes { context.inputBuffer(0).copyMemory(from: $0) }
        try context.run()  // warm-up
        let before = TensorStorage.allocationCount
        for _ in 0..<5 { try context.run() }
        XCTAssertEqual(TensorStorage.allocationCount - before, 0, "tensor allocations in 5 steady-state runs")
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": input])
    }

    func testOneAndTwoThreadsAgree() throws {
        let graph = try convNet()
        let program = try ModelPipeline.compile(graph).program
        let input = ["x": testTensor([1, 8, 16, 16])]
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        Parallel.setThreadCount(1)
        let one = try ExecutionContext(program: program).run(input)
        Parallel.setThreadCount(2)
        let two = try ExecutionContext(program: program).run(input)
        for name in graph.outputs {
            XCTAssertLessThanOrEqual(maxAbsDifference(one[name]!, two[name]!), 1e-5, name)
        }
    }
}
