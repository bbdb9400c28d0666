// The fuzz target behind `edgeflow infer`: an archive whose graph.json parameters are untrusted
// all the way into the kernels. It reads the archive as `efa-archive` does, then runs the graph
// on zero inputs with the reference interpreter and compiled on the fast path, when the graph's
// tensors fit a small budget (the CLI checks the real one, --max-memory, before running).

import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFInterpreter
import EFKernels
import EFRuntime
import Foundation

enum RunFuzzTarget {
    /// Graphs whose values together need more than this are read but not run.
    static let maxValueBytes = 64 << 20

    static let run = FuzzTarget(name: "efa-run",
        summary: "an efa-archive input → read, then run on zero inputs: interpreter and compiled program") { data in
        let graph = try ModelFuzzTargets.readArchive(data).graph
        var total = 0
        for type in graph.types.values {
            total = try CheckedSize.add(total, try CheckedSize.byteCount(type.shape, type.dtype, "value"), "values")
            guard total <= maxValueBytes else { return }
        }
        var inputs: [String: Tensor] = [:]
        for name in graph.inputs {
            let type = try graph.type(of: name)
            inputs[name] = Tensor(zeros: type.dtype, shape: type.shape)
        }
        Parallel.setThreadCount(1)
        _ = try Interpreter(graph: graph).run(inputs)
        let compiled = try ModelPipeline.compile(graph)
        _ = try ExecutionContext(program: compiled.program).run(inputs)
    }
}
