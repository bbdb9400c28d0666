// The fast path as `edgeflow infer` runs it by default: optimize the float graph, compile it
// to a program of fast kernels, and run it in an execution context.

import EFCompiler
import EFCore
import EFIR
import EFRuntime

enum FastPath {
    static func run(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let compiled = try ModelPipeline.compile(graph)
        return try ExecutionContext(program: compiled.program).run(inputs)
    }
}
