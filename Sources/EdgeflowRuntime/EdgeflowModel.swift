// The deploy-side API: load an .efx and run it. Nothing of the build side (IR, ONNX import,
// transforms, compiler, interpreter) is linked: the file holds the program as data and this
// module makes its kernels for the CPU it runs on.
//
// Thread safety: an EdgeflowModel is safe to share between threads. Each concurrent `run` takes
// its own execution context (arena and scratchpad) from a small pool, so runs never share
// intermediate memory; the weights are read-only and shared. All models of a process share
// one OpenMP thread pool (oneDNN's and Edgeflow's kernels alike), sized by
// `EdgeflowModel.setThreadCount` or OMP_NUM_THREADS. On a machine shared with other work, start
// the process with GOMP_SPINCOUNT=10000 (as the `edgeflow` verbs do; see EFKernels.ThreadWaitPolicy):
// libgomp's default spin lets 2 threads run slower than 1 when another process wants a core.

import EFCore
import EFExecutable
import EFKernels
import EFRuntime
import Foundation

/// A loaded Edgeflow executable.
public final class EdgeflowModel: @unchecked Sendable {
    private let loaded: LoadedExecutable
    private let lock = NSLock()
    private var idle: [ExecutionContext] = []

    /// Maps and loads the executable at `url`.
    /// - Parameter memoryBudget: the most the arena and scratchpad of one run may take (the
    ///   weights are mapped, not counted); by default half the physical memory.
    /// - Throws: `EdgeflowError.io` when it cannot be read; `.invalidArchive` naming the section
    ///   when it is damaged or is not an executable (for archives: compile it first);
    ///   `.unsupported` when it needs CPU features this CPU lacks or a newer Edgeflow;
    ///   `.invalidInput` when a run would exceed `memoryBudget`.
    public convenience init(contentsOf url: URL, memoryBudget: MemoryBudget = .run()) throws {
        // The weights' checksum is verified while the kernels are built (LoadedExecutable), on
        // another core; nothing runs before it matched.
        try self.init(file: try EFXFile(contentsOf: url, deferredVerification: [.weights]), budget: memoryBudget)
    }

    /// Loads an executable held in memory (copied into aligned memory first).
    public convenience init(data: Data, label: String, memoryBudget: MemoryBudget = .run()) throws {
        try self.init(file: try EFXFile(data: data, label: label), budget: memoryBudget)
    }

    init(file: EFXFile, cpu: CPUFeatures = .current, budget: MemoryBudget) throws {
        loaded = try LoadedExecutable(file: file, cpu: cpu, budget: budget)
    }

    /// The model's name.
    public var name: String { loaded.manifest.modelName }
    /// The inputs every run needs, in order: name, dtype, shape, layout.
    public var inputs: [TensorDescriptor] { loaded.manifest.inputs }
    /// The outputs every run returns, in order.
    public var outputs: [TensorDescriptor] { loaded.manifest.outputs }
    /// Everything the file declares (provenance, required CPU features).
    public var manifest: ExecutableManifest { loaded.manifest }
    /// The preprocessing the executable embeds for its image input, if any.
    public var recipe: EmbeddedRecipe? { loaded.recipe }
    /// The steps that run their reference kernel on this CPU, with reasons.
    public var fallbacks: [StepFallback] { loaded.fallbacks }
    /// The program built for this CPU (for profilers and benchmarks).
    public var program: Program { loaded.program }
    /// The container's sections (kind, offset, length) for `edgeflow inspect`.
    public var sections: [EFXSectionInfo] { loaded.file.sectionInfos }
    /// The file's size in bytes.
    public var fileSize: Int { loaded.file.fileSize }

    /// Runs the model once.
    /// - Parameter inputs: one tensor per input, by name, with exactly the declared dtype and shape.
    /// - Returns: the outputs by name (copies; they stay valid after later runs).
    /// - Throws: `EdgeflowError.invalidInput` for missing, unknown or mistyped inputs (the message
    ///   lists what the model expects); kernel errors naming the step.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try withContext { try $0.run(inputs) }
    }

    /// Runs the model once off the caller's thread.
    public func run(_ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try self.run(inputs) })
            }
        }
    }

    /// Runs the model on each item of `batch` in order (the program's shapes are static, so a
    /// batch is a sequence of runs that reuses one execution context).
    /// - Throws: the first failing item's error, prefixed with its index.
    public func run(batch: [[String: Tensor]]) throws -> [[String: Tensor]] {
        try withContext { context in
            try batch.enumerated().map { index, inputs in
                do {
                    return try context.run(inputs)
                } catch let error as EdgeflowError {
                    throw error.prefixed("batch item \(index)")
                }
            }
        }
    }

    /// Lends an execution context (created on demand, pooled after use) to `body`.
    public func withContext<R>(_ body: (ExecutionContext) throws -> R) throws -> R {
        let context: ExecutionContext = lock.withLock { idle.popLast() } ?? ExecutionContext(program: loaded.program)
        defer { lock.withLock { idle.append(context) } }
        return try body(context)
    }

    /// Sets the threads of the process-wide pool all models share (1…1024; capped at 4 × the
    /// cores, at least 8).
    public static func setThreadCount(_ count: Int) { Parallel.setThreadCount(count) }

    /// The threads a model run started from the calling thread uses.
    public static var threadCount: Int { Parallel.threadCount }
}
