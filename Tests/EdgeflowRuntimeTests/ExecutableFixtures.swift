// Small executables for the runtime tests: a conv → relu → pool → matMul model compiled and
// written by the build side (as `edgeflow compile` does), and its bytes for damage tests.

import EFCompiler
import EFCore
import EFIR
import EFInterpreter
import EFTestSupport
import EdgeflowRuntime
import Foundation

enum ExecutableFixtures {
    /// x [B, 3, side, side] → conv 3×3 (4 filters, pad 1) + bias → relu → global avg pool → reshape →
    /// matMul [4, 5] (B = `batch`, 1 by default; side 8 by default).
    static func graph(batch: Int = 1, side: Int = 8) throws -> Graph {
        var g = TestGraphBuilder()
        let x = g.input("x", [batch, 3, side, side])
        let w = g.weight("w", shape: [4, 3, 3, 3], seed: 3), b = g.weight("b", shape: [4], seed: 4)
        let conv = try g.node(.conv, [x, w, b], ["pads": .ints([1, 1, 1, 1])])
        let relu = try g.unary("relu", conv)
        let pooled = try g.node(.pool, [relu], ["kind": .string("avg"), "kernel": .ints([side, side])])
        let flat = try g.node(.reshape, [pooled], ["shape": .ints([batch, 4])])
        let m = g.weight("m", shape: [4, 5], seed: 5)
        g.output(try g.node(.matMul, [flat, m]))
        return g.graph
    }

    static func input(seed: UInt64 = 7) -> [String: Tensor] {
        ["x": Tensor(shape: [1, 3, 8, 8], scalars: deterministicFloats(192, seed: seed))]
    }

    /// The executable's bytes, written to a temporary file and read back.
    static func bytes(_ graph: Graph, manifest: ((inout ExecutableManifest) -> Void)? = nil) throws -> Data {
        let compiled = try ModelPipeline.compile(graph)
        var described = try ExecutableRoundTrip.manifest(for: graph)
        manifest?(&described)
        let directory = try TestData.temporaryDirectory("efx-fixture")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.efx")
        try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants, manifest: described, recipe: nil,
                                   to: url)
        return try Data(contentsOf: url)
    }

    /// The interpreter's outputs (reference kernels).
    static func reference(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try Interpreter(graph: graph).run(inputs)
    }
}
