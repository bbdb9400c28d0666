// The compiler: lowers an IR graph (normally the fp-optimized one) to an EFRuntime program.
// Each node gets the fastest kernel that takes it (oneDNN for conv/matmul, Swift SIMD for the
// rest); a node no fast kernel takes runs its reference kernel, and the report says why.

import EFCore
import EFIR
import EFInterpreter
import EFOneDNN
import EFRuntime
import EFTransforms

/// Choices the compiler makes for the whole program.
public struct CompileOptions: Sendable {
    /// Run the fp-optimization passes (EFTransforms.FloatOptimizer) first.
    public var optimize: Bool
    /// Use fast kernels (false: every step runs its reference kernel; for debugging).
    public var fastKernels: Bool
    /// Arithmetic of the oneDNN conv/matmul kernels (float32 in and out either way).
    public var precision: MatrixPrecision
    /// Store 4-D conv regions channels-last (what oneDNN's direct convolutions want).
    public var channelsLast: Bool

    public init(optimize: Bool = true, fastKernels: Bool = true, precision: MatrixPrecision = .float32,
                channelsLast: Bool = true) {
        self.optimize = optimize
        self.fastKernels = fastKernels
        self.channelsLast = channelsLast
        self.precision = precision
    }
}

/// Arithmetic of the matrix kernels.
public enum MatrixPrecision: String, Sendable, CaseIterable {
    case float32, bfloat16
}

/// What the compiler did.
public struct CompileReport: Sendable {
    /// A node that runs its reference kernel, and why.
    public struct Fallback: Sendable, Codable {
        public let node: String
        public let op: String
        public let reason: String
    }
    public var fallbacks: [Fallback] = []
    /// Steps per kernel family ("onednn", "simd", "reference").
    public var kernelCounts: [String: Int] = [:]
    public var arenaByteCount = 0
    public var stepCount = 0
    /// What the fp-optimization passes did (nil when they were not run).
    public var optimization: OptimizationReport?
}

/// Lowers graphs to programs.
public enum Compiler {
    /// Compiles `graph`.
    /// - Throws: `EdgeflowError.invalidModel` for an inconsistent graph; never for an op a fast
    ///   kernel cannot take (that becomes a reference step listed in the report).
    public static func compile(_ source: Graph, _ options: CompileOptions = CompileOptions())
        throws -> (program: Program, report: CompileReport) {
        if options.fastKernels, options.precision == .bfloat16, !DNNLEngine.supportsBF16 {
            throw EdgeflowError(.unsupported,
                "this CPU has no bfloat16 kernels (oneDNN's ISA here is \(DNNLEngine.effectiveISA); bf16 needs AVX-512 or AMX)",
                hint: "use --precision float32")
        }
        var report = CompileReport()
        var graph = source
        if options.optimize {
            let optimized = try FloatOptimizer.optimize(source)
            graph = optimized.graph
            report.optimization = optimized.report
        }
        if options.channelsLast && options.fastKernels && ChannelsLastLayout.pays(graph) {
            graph = try ChannelsLastLayout.apply(graph)
        }
        let plan = try MemoryPlan(graph)
        let context = LoweringContext(graph: graph, plan: plan, options: options)
        var steps: [any Step] = []
        for (index, node) in graph.nodes.enumerated() where !plan.aliasNodes.contains(index) {
            let step: any Step
            if options.fastKernels, let fast = try lowerFast(node, context, &report) {
                step = fast
            } else {
                step = try context.referenceStep(node, reason: options.fastKernels ? "" : "fast kernels disabled")
            }
            report.kernelCounts[step.info.kernel.split(separator: " ").first.map(String.init) ?? "", default: 0] += 1
            steps.append(step)
        }
        let inputs = try graph.inputs.map { try context.programValue($0) }
        let outputs = try graph.outputs.map { try context.programValue($0) }
        let program = Program(name: graph.name, inputs: inputs, outputs: outputs, steps: steps,
                              arenaByteCount: plan.arenaByteCount)
        report.arenaByteCount = plan.arenaByteCount
        report.stepCount = steps.count
        return (program, report)
    }

    /// The fast step for `node`, or nil (recording the reason) when no fast kernel takes it.
    private static func lowerFast(_ node: Node, _ context: LoweringContext,
                                  _ report: inout CompileReport) throws -> (any Step)? {
        do {
            return try FastLowering.lower(node, context)
        } catch let unavailable as FastPathUnavailable {
            report.fallbacks.append(.init(node: node.name, op: node.op.rawValue, reason: unavailable.reason))
            return nil
        }
    }
}

/// Thrown by a lowering when no fast kernel takes the node; the node runs its reference kernel.
struct FastPathUnavailable: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
