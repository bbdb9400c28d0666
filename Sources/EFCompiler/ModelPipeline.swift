// The stages a model goes through, as in the Dataflow Compiler's runner: native (as imported)
// → fp-optimized (EFTransforms.FloatOptimizer, including the layout choice) → (quantized, to
// come) → compiled (Compiler). Each stage is explicit: a graph says which one it is in, and
// archives record it.

import EFCore
import EFIR
import EFTransforms

/// Runs a graph through the stages it has not been through yet.
public enum ModelPipeline {
    /// The fp-optimized stage of `graph` (unchanged when it is already past it).
    public static func optimize(_ graph: Graph, _ options: FloatOptimizerOptions = .init())
        throws -> (graph: Graph, report: OptimizationReport?) {
        guard graph.stage == .native else { return (graph, nil) }
        let optimized = try FloatOptimizer.optimize(graph, options)
        return (optimized.graph, optimized.report)
    }

    /// Optimizes (when the graph is native) and compiles.
    /// - Parameter channelsLast: let the optimizer store conv regions channels-last (only
    ///   when fast kernels run them; the reference kernels would only pay the transposes).
    public static func compile(_ graph: Graph, _ options: CompileOptions = CompileOptions()) throws -> CompiledModel {
        let optimized = try optimize(graph, FloatOptimizerOptions(channelsLast: options.fastKernels))
        var compiled = try Compiler.compile(optimized.graph, options)
        compiled.report.optimization = optimized.report
        return compiled
    }
}
