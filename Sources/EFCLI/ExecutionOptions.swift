// The options that choose how a graph runs (fast compiled program or reference interpreter,
// threads, matrix precision, memory budget), shared by `infer` and `benchmark`, and the runner
// they build.

import ArgumentParser
import EFCompiler
import EFCore
import EFIR
import EFInterpreter
import EFKernels
import EFRuntime
import Foundation

struct ExecutionOptions: ParsableArguments {
    @Flag(help: "Run the plain reference kernels in the interpreter instead of the compiled fast path.")
    var reference = false

    @Option(help: ArgumentHelp("Threads for one inference (OpenMP, shared by oneDNN and Edgeflow's kernels), "
                               + "1…\(Parallel.maxRequestedThreads); more than \(Parallel.maxThreadCount) (4 × the "
                               + "cores, at least 8) run as \(Parallel.maxThreadCount). Default: OMP_NUM_THREADS "
                               + "(capped the same way), else all cores.", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Arithmetic of conv/matmul on the fast path: float32 or bfloat16 (AMX; inputs "
        + "rounded to bf16).", valueName: "precision"))
    var precision: String = MatrixPrecision.float32.rawValue

    @Option(help: ArgumentHelp("Emulate a stage: 'quantized' runs a quantized archive's integer steps with the "
        + "reference kernels of the int8 contract (docs/numerics.md) and its float steps with the fast kernels; "
        + "the compiled executable gives the same bytes.", valueName: "stage"))
    var emulate: String?

    @Flag(help: "Print what the compiler did (kernels, fallbacks with reasons, arena size) to stderr.")
    var verbose = false

    @Option(name: .customLong("max-memory"), help: ArgumentHelp(
        "Most memory one run may take (weights, values, arena), e.g. 512M, 8G; 1M to 1P. "
            + "Default: half the physical memory.",
        valueName: "size"))
    var maxMemory: ByteSizeArgument?

    /// The budget the run is checked against before its tensors are allocated.
    var memoryBudget: MemoryBudget { RunMemory.budget(maxMemory?.bytes) }

    func validate() throws {
        if let threads, !(1...Parallel.maxRequestedThreads).contains(threads) {
            throw ValidationError("--threads must be in 1…\(Parallel.maxRequestedThreads), got \(threads)")
        }
        if let maxMemory, !RunMemory.validRange.contains(maxMemory.bytes) {
            throw ValidationError("--max-memory must be between 1M and 1P (\(RunMemory.validRange.lowerBound) to "
                + "\(RunMemory.validRange.upperBound) bytes), got \(maxMemory.bytes) bytes")
        }
        if let emulate, emulate != "quantized" {
            throw ValidationError("--emulate takes 'quantized', got '\(emulate)'")
        }
        if emulate != nil && reference {
            throw ValidationError("--emulate and --reference exclude each other")
        }
        guard MatrixPrecision(rawValue: precision) != nil else {
            throw ValidationError("--precision must be one of "
                + "\(MatrixPrecision.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Applies the thread count and builds the runner for `graph`, checking what the run needs
    /// against the --max-memory budget before anything of the run is allocated.
    /// - Throws: `EdgeflowError.invalidInput` when the run would exceed the budget.
    func makeRunner(for graph: Graph) throws -> ModelRunner {
        if let threads { Parallel.setThreadCount(threads) }
        let budget = memoryBudget
        try RunMemory.checkTypes(graph)
        if reference {
            try RunMemory.checkReference(graph, budget)
            return .reference(Interpreter(graph: graph))
        }
        try RunMemory.checkBeforeCompile(graph, budget)
        if emulate != nil, graph.stage != .quantized {
            throw EdgeflowError(.invalidArgument, "--emulate quantized needs a quantized archive; this one is "
                + "\(graph.stage.rawValue)",
                hint: "quantize it: edgeflow optimize MODEL.efa --calib-set DIR -o MODEL.q.efa")
        }
        let options = CompileOptions(precision: MatrixPrecision(rawValue: precision) ?? .float32,
                                     emulateIntegerSteps: emulate != nil)
        let compiled = try ModelPipeline.compile(graph, options)
        if verbose { CompileLog.print(compiled.report) }
        try RunMemory.checkCompiled(compiled.program, graph, budget)
        let context = ExecutionContext(program: compiled.program)
        return emulate != nil ? .emulated(context, compiled.report) : .compiled(context, compiled.report)
    }
}

/// Runs a graph one way or the other.
enum ModelRunner {
    case reference(Interpreter)
    case compiled(ExecutionContext, CompileReport)
    /// The quantized emulator (a compiled program whose integer steps run the reference kernels).
    case emulated(ExecutionContext, CompileReport)

    /// Runs on named inputs and returns the named outputs.
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        switch self {
        case .reference(let interpreter): return try interpreter.run(inputs)
        case .compiled(let context, _), .emulated(let context, _): return try context.run(inputs)
        }
    }

    var engineName: String {
        switch self {
        case .reference: return "reference"
        case .compiled: return "fast"
        case .emulated: return "quantized emulator"
        }
    }
}

/// The compile report as text on stderr.
enum CompileLog {
    static func print(_ report: CompileReport) {
        var lines = (report.optimization.map { ["fp optimization: \($0)"] } ?? []) + ["compiled "
            + "\(report.stepCount) steps, arena \(CommandSupport.bytes(report.arenaByteCount)); kernels: "
            + report.kernelCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
        for fallback in report.fallbacks {
            lines.append("  reference kernel for \(fallback.node) (\(fallback.op)): \(fallback.reason)")
        }
        FileHandle.standardError.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!)
    }
}
