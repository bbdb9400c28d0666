// The compiled data-movement steps (slice, concat, gather, transpose, resize) against the
// interpreter's reference kernels, over sweeps of shapes and parameters; all must compile to
// fast steps (no reference fallback).

import EFCompiler
import EFCore
import EFIR
import EFRuntime
import EFTestSupport
import XCTest

final class MovementLoweringTests: XCTestCase {
    /// Copies must be exact; linear resize weighs in float32 where the reference uses float64.
    private func check(_ g: TestGraphBuilder, _ inputs: [String: Tensor], tolerance: Double = 0,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let compiled = try Compiler.compile(g.graph)
        XCTAssertEqual(compiled.report.fallbacks.map(\.reason), [], file: file, line: line)
        try assertMatchesInterpreter(g.graph, compiled.program, inputs: inputs, tolerance: tolerance, file: file, line: line)
    }

    func testSlicesOfEveryKind() throws {
        let shape = [2, 5, 6, 7]
        let cases: [(starts: [Int], ends: [Int], steps: [Int])] = [
            ([0, 0, 0, 0], [2, 5, 6, 7], [1, 1, 1, 1]),     // whole
            ([0, 1, 0, 0], [2, 4, 6, 7], [1, 1, 1, 1]),     // one axis partial: long runs
            ([1, 0, 2, 3], [2, 5, 5, 7], [1, 1, 1, 1]),     // several partial axes
            ([0, 0, 0, 1], [2, 5, 6, 7], [1, 1, 1, 2]),     // innermost stepped: element runs
            ([0, 4, 5, 6], [2, -1, -1, -1], [1, -2, -1, -3]), // negative steps
            ([0, 0, 0, 0], [2, 5, 6, 7], [1, 2, 3, 1]),
        ]
        for (index, c) in cases.enumerated() {
            var g = TestGraphBuilder()
            let x = g.input("x", shape)
            g.output(try g.node(.slice, [x], ["starts": .ints(c.starts), "ends": .ints(c.ends), "steps": .ints(c.steps)]))
            try check(g, ["x": testTensor(shape, seed: UInt64(index))])
        }
    }

    func testConcatGatherTransposeResize() throws {
        var g = TestGraphBuilder()
        let a = g.input("a", [2, 3, 4, 5]), b = g.input("b", [2, 1, 4, 5])
        let ids = g.input("ids", [3], .int64)
        g.output(try g.node(.concat, [a, b, a], ["axis": .int(1)]))
        g.output(try g.node(.concat, [a, a], ["axis": .int(3)]))
        let table = g.weight("table", testTensor([10, 6], seed: 9))
        g.output(try g.node(.gather, [table, ids], ["axis": .int(0)]))
        g.output(try g.node(.transpose, [a], ["perm": .ints([0, 2, 3, 1])]))
        g.output(try g.node(.resize, [a], ["mode": .string("nearest"), "sizes": .ints([2, 3, 8, 10]),
                                            "coordinateTransformationMode": .string("asymmetric"),
                                            "nearestMode": .string("floor")]))
        g.output(try g.node(.resize, [a], ["mode": .string("linear"), "sizes": .ints([2, 3, 7, 9])]))
        try check(g, ["a": testTensor([2, 3, 4, 5], seed: 3), "b": testTensor([2, 1, 4, 5], seed: 4),
                      "ids": Tensor(shape: [3], scalars: [Int64](arrayLiteral: 0, -1, 7))], tolerance: 1e-6)
    }
}
