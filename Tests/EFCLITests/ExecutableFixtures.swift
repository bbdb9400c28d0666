// Executables (.efx) the CLI and example tests run: a small conv/relu/matmul graph compiled by
// ModelPipeline and written with ExecutableWriter, and a runner for the example binary that
// sits next to `edgeflow` in the build products directory.

import EFCompiler
import EFCore
import EFIR
import EFTestSupport
import EdgeflowRuntime
import Foundation

enum ExecutableFixtures {
    /// x float32[1, 3, 8, 8] → conv 3×3 (+bias) → relu → conv 3×3 → + residual → reshape →
    /// matMul float32[1, 10]: oneDNN convs and matmul plus SIMD elementwise steps.
    static func convReluMatMul() throws -> Graph {
        var g = TestGraphBuilder()
        let x = g.input("x", [1, 3, 8, 8])
        let pads: Attributes = ["pads": .ints([1, 1, 1, 1])]
        let c1 = try g.node(.conv, [x, g.weight("w1", shape: [4, 3, 3, 3], seed: 11),
                                    g.weight("b1", shape: [4], seed: 12)], pads)
        let r1 = try g.unary("relu", c1)
        let c2 = try g.node(.conv, [r1, g.weight("w2", shape: [4, 4, 3, 3], seed: 13)], pads)
        let sum = try g.binary("add", c2, r1)
        let flat = try g.node(.reshape, [sum], ["shape": .ints([1, 256])])
        g.output(try g.node(.matMul, [flat, g.weight("head", shape: [256, 10], seed: 14)]))
        g.graph.name = "conv-relu-matmul"
        return g.graph
    }

    /// Compiles `graph` and writes it as the executable `name` in `directory`.
    @discardableResult
    static func writeExecutable(_ graph: Graph, named name: String, in directory: URL) throws -> URL {
        let compiled = try ModelPipeline.compile(graph)
        let url = directory.appendingPathComponent(name)
        try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants,
                                   manifest: try ExecutableRoundTrip.manifest(for: graph), recipe: nil, to: url)
        return url
    }

    /// The example binary, built because EFCLITests depends on its target.
    static var runExample: URL { CLIRunner.productsDirectory.appendingPathComponent("edgeflow-run-example") }

    /// Runs `edgeflow-run-example arguments...` in `directory`.
    static func runExample(_ arguments: [String], in directory: URL) throws -> CLIResult {
        try CLIRunner.run(arguments, in: directory, binary: runExample)
    }
}
