// The compiler: lowers an IR graph (normally the fp-optimized stage) to a program plan — every
// value placed in one arena or a constant, each node a step with its kernel family — and builds
// the runnable program from it. Each node gets the fastest kernel that takes it (oneDNN for
// conv/matmul, Swift SIMD for the rest); a node no fast kernel takes runs its reference kernel,
// and the report says why. It does not optimize: ModelPipeline runs the stages before it.

import EFCore
import EFIR
import EFOneDNN
import EFRuntime
import EFTransforms

/// Choices the compiler makes for the whole program.
public struct CompileOptions: Sendable {
    /// Use fast kernels (false: every step runs its reference kernel; for debugging).
    public var fastKernels: Bool
    /// Arithmetic of the oneDNN conv/matmul kernels (float32 in and out either way).
    public var precision: MatrixPrecision
    /// The quantized emulator: integer steps (quantizedConv, quantizedMatMul, quantizeLinear,
    /// dequantizeLinear) run the contract's reference kernels, float steps the same fast kernels
    /// as the executable (docs/numerics.md).
    public var emulateIntegerSteps: Bool

    public init(fastKernels: Bool = true, precision: MatrixPrecision = .float32, emulateIntegerSteps: Bool = false) {
        self.fastKernels = fastKernels
        self.precision = precision
        self.emulateIntegerSteps = emulateIntegerSteps
    }
}

/// What the compiler did.
public struct CompileReport: Sendable {
    /// The steps that run their reference kernel, and why.
    public var fallbacks: [StepFallback] = []
    /// Steps per kernel family ("onednn", "simd", "copy", "reference").
    public var kernelCounts: [String: Int] = [:]
    public var arenaByteCount = 0
    public var stepCount = 0
    /// What the fp-optimization passes did (nil when they were not run).
    public var optimization: OptimizationReport?

    public init() {}
}

/// A compiled model: the plan (what an executable stores), its constants, and the program
/// built from them for this CPU.
public struct CompiledModel {
    public let plan: ProgramPlan
    /// The tensors `ValuePlace.constant` indexes (reshaped weights share their storage).
    public let constants: [Tensor]
    public let program: Program
    public var report: CompileReport
}

/// Lowers graphs to programs.
public enum Compiler {
    /// Whether this CPU has the bf16 kernels that bf16 programs and layers compile to.
    public static var supportsBFloat16: Bool { DNNLEngine.supportsBF16 }

    /// Compiles `graph` as it is.
    /// - Throws: `EdgeflowError.invalidModel` for an inconsistent graph; `.unsupported` for bf16
    ///   (the whole program, or layers with `bfloat16Products`) on a CPU without bf16 kernels;
    ///   never for an op a fast kernel cannot take (that becomes a reference step listed in the report).
    public static func compile(_ graph: Graph, _ options: CompileOptions = CompileOptions()) throws -> CompiledModel {
        let bfloat16Layers = graph.nodes.filter(\.bfloat16Products).map(\.name)
        if options.fastKernels, options.precision == .bfloat16 || !bfloat16Layers.isEmpty, !supportsBFloat16 {
            let wholeProgram = options.precision == .bfloat16
            let what = wholeProgram ? "this CPU"
                : "the model has \(bfloat16Layers.count) layer(s) in bf16 ("
                    + bfloat16Layers.prefix(3).joined(separator: ", ") + "), and this CPU"
            throw EdgeflowError(.unsupported,
                "\(what) has no bfloat16 kernels (oneDNN's ISA here is \(DNNLEngine.effectiveISA); "
                    + "bf16 needs AVX-512 or AMX)",
                hint: wholeProgram ? "use --precision float32"
                    : "quantize again without bf16 for those layers on this machine (precision_mode=float in the "
                        + "model script, or --promote-to without bf16)")
        }
        let (plan, constants) = try makePlan(graph, options)
        let (program, fallbacks) = try ProgramBuilder.build(plan, constants: constants)
        var report = CompileReport()
        report.fallbacks = fallbacks
        for step in program.steps {
            report.kernelCounts[step.info.kernel.split(separator: " ").first.map(String.init) ?? "", default: 0] += 1
        }
        report.arenaByteCount = plan.arenaByteCount
        report.stepCount = program.steps.count
        return CompiledModel(plan: plan, constants: constants, program: program, report: report)
    }

    /// The ops whose integer arithmetic the quantized emulator runs with the reference kernels.
    static let integerOps: Set<OpType> = [.quantizedConv, .quantizedMatMul, .quantizeLinear, .dequantizeLinear]

    /// The plan of `graph`: places from the memory plan, one step per node that is not an alias.
    static func makePlan(_ graph: Graph, _ options: CompileOptions) throws -> (ProgramPlan, [Tensor]) {
        let graph = RunConditions.checked(graph)
        let memory = try MemoryPlan(graph)
        var constants: [Tensor] = [], constantIndex: [String: Int] = [:]
        for name in memory.constants.keys.sorted() {
            constantIndex[name] = constants.count
            constants.append(memory.constants[name]!)
        }
        var values: [PlannedValue] = []
        var declared = Set<String>()
        func declare(_ name: String) throws {
            guard !name.isEmpty, declared.insert(name).inserted else { return }
            let type = try graph.type(of: name)
            let place: ValuePlace = try constantIndex[name].map { .constant(index: $0) }
                ?? .arena(offset: try memory.offset(name))
            values.append(PlannedValue(name: name, dtype: type.dtype, shape: type.shape, place: place))
        }
        var steps: [PlannedStep] = []
        for name in graph.inputs { try declare(name) }
        for (index, node) in graph.nodes.enumerated() where !memory.aliasNodes.contains(index) {
            for name in node.inputs + node.outputs + node.runsWhen.map(\.value) { try declare(name) }
            let emulated = options.emulateIntegerSteps && Self.integerOps.contains(node.op)
            let fast = options.fastKernels && !emulated
            var step = PlannedStep(name: node.name, params: node.params, inputs: node.inputs, outputs: node.outputs,
                                   kernel: fast ? .fast : .reference,
                                   reason: fast ? "" : emulated ? "quantized emulator" : "fast kernels disabled",
                                   macs: MacCount.of(node, graph), runsWhen: node.runsWhen)
            step.bfloat16Products = node.bfloat16Products
            steps.append(step)
        }
        for name in graph.outputs { try declare(name) }
        let plan = ProgramPlan(name: graph.name, values: values, inputs: graph.inputs, outputs: graph.outputs,
                               steps: steps, arenaByteCount: memory.arenaByteCount, precision: options.precision)
        return (plan, constants)
    }
}
