// The fp-optimized stage (the DFC's full-precision optimization): runs the float graph
// rewrites in order — cleanup, constant folding, activation / GELU / LayerNorm recognition,
// BatchNorm and bias folding, epilogue fusion, attention recognition, then the layout choice
// (channels-last conv regions) — verifying the graph after each one. The result is the
// archive stage "fp-optimized"; the compiler lowers it as it is.

import EFCore
import EFIR

/// Options of `FloatOptimizer.optimize`.
public struct FloatOptimizerOptions: Sendable {
    /// Largest result (bytes, all outputs of a node) constant folding materializes; bigger
    /// constant subgraphs stay computed at run time.
    public var constantFoldingLimitBytes: Int
    /// Pass names to skip (see `FloatOptimizer.passNames`).
    public var disabledPasses: Set<String>
    /// Runs `Verifier.verify` after every pass (cheap: shape inference only).
    public var verifyEachPass: Bool

    /// Store 4-D conv regions channels-last when that pays (what oneDNN's direct convolutions
    /// want; pass "choose-layout").
    public var channelsLast: Bool

    public init(constantFoldingLimitBytes: Int = 64 << 20, disabledPasses: Set<String> = [],
                verifyEachPass: Bool = true, channelsLast: Bool = true) {
        self.channelsLast = channelsLast
        self.constantFoldingLimitBytes = constantFoldingLimitBytes
        self.disabledPasses = disabledPasses
        self.verifyEachPass = verifyEachPass
    }
}

/// Full-precision graph optimization.
public enum FloatOptimizer {
    static let passes: [GraphPass] = [
        GraphPass(name: "remove-noops", unit: "no-op nodes") { graph, _ in Cleanup.removeNoOps(graph) },
        GraphPass(name: "fold-constants", unit: "nodes evaluated into weights") { graph, options in
            try ConstantFolding.run(graph, limitBytes: options.constantFoldingLimitBytes)
        },
        GraphPass(name: "recognize-clip", unit: "max/min → clip or relu") { graph, _ in ClipRecognition.run(graph) },
        GraphPass(name: "recognize-hardswish", unit: "subgraphs → hardSwish") { graph, _ in
            HardSwishRecognition.run(graph)
        },
        GraphPass(name: "recognize-gelu", unit: "subgraphs → gelu/geluTanh") { graph, _ in GeluRecognition.run(graph) },
        GraphPass(name: "recognize-layernorm", unit: "subgraphs → layerNorm") { graph, _ in
            LayerNormRecognition.run(graph)
        },
        GraphPass(name: "fold-batchnorm", unit: "mul/add folded into conv weights and bias") { graph, _ in
            BatchNormFolding.run(graph)
        },
        GraphPass(name: "fold-input-affine", unit: "mul/add on a conv input folded into its weights") { graph, _ in
            InputAffineFolding.run(graph)
        },
        GraphPass(name: "fold-matmul-bias", unit: "adds folded into matMul bias") { graph, _ in
            MatMulBiasFolding.run(graph)
        },
        GraphPass(name: "fuse-epilogue", unit: "residual adds and activations fused into conv/matMul") { graph, _ in
            ActivationFusion.run(graph)
        },
        GraphPass(name: "recognize-attention", unit: "attention subgraphs found (not rewritten: no core attention op)") {
            graph, _ in AttentionRecognition.run(graph)
        },
        GraphPass(name: "choose-layout", unit: "graphs given channels-last conv regions") { graph, options in
            guard options.channelsLast, ChannelsLastLayout.pays(graph) else {
                return PassOutcome(graph: graph, changes: 0)
            }
            return PassOutcome(graph: try ChannelsLastLayout.apply(graph), changes: 1)
        },
    ]

    /// The pass names in the order they run.
    public static var passNames: [String] { passes.map(\.name) }

    /// Optimizes a float graph; the result computes the same outputs (up to float rounding of
    /// the folded arithmetic) with fewer, fused nodes.
    /// - Returns: the optimized graph and what each pass did.
    /// - Throws: `EdgeflowError.internalError` naming the pass when a rewrite breaks a graph
    ///   invariant (a bug), or evaluation errors of constant folding naming the node.
    public static func optimize(_ graph: Graph, _ options: FloatOptimizerOptions = .init())
        throws -> (graph: Graph, report: OptimizationReport) {
        var current = Cleanup.eliminateDeadCode(graph).graph
        var report = OptimizationReport()
        report.passes.append(PassReport(pass: "eliminate-dead-code", changes: graph.nodes.count - current.nodes.count,
                                        unit: "unused nodes", nodesBefore: graph.nodes.count,
                                        nodesAfter: current.nodes.count))
        for pass in passes where !options.disabledPasses.contains(pass.name) {
            let before = current.nodes.count
            do {
                let outcome = try pass.run(current, options)
                current = Cleanup.eliminateDeadCode(outcome.graph).graph
                if options.verifyEachPass { try Verifier.verify(current) }
                report.passes.append(PassReport(pass: pass.name, changes: outcome.changes, unit: pass.unit,
                                                nodesBefore: before, nodesAfter: current.nodes.count))
            } catch let error as EdgeflowError {
                throw error.prefixed("fp optimization pass '\(pass.name)'")
            }
        }
        current.stage = .fpOptimized
        return (current, report)
    }
}
