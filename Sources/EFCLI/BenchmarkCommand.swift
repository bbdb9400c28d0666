// `edgeflow benchmark`: times an archive or executable on synthetic inputs or given `.npy`
// files — warm-up, then latency
// percentiles, throughput, achieved GFLOP/s against the machine's nominal peak, and the ten
// slowest layers.

import ArgumentParser
import EFArchive
import EFCore
import EdgeflowRuntime
import EFCompiler
import EFIR
import EFKernels
import EFRuntime
import Foundation

struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Time an archive: latency p50/p90, throughput and the slowest layers.",
        discussion: """
            Inputs are synthetic (floats uniform in [0, 1) and uint8 bytes from a fixed seed, \
            other integers 0), so no data files are needed; --input NAME=FILE.npy times real \
            data instead (every input then needs one), which matters where the work depends \
            on the values (detections, branches). After --warmup untimed runs, --iterations runs are \
            timed one by one; throughput is batch ÷ mean latency. A separate profiled pass \
            times every step for the slowest-layers table (fast engine only).

            The batch is the archive's: its first input's leading dimension. To benchmark \
            batch 8, parse with e.g. --input-shape pixel_values=8,3,224,224; --batch only \
            checks that the archive has the batch you expect.

            Achieved GFLOP/s counts 2 FLOP per multiply-accumulate of conv, convTranspose \
            and matMul. The peak is nominal: threads × FLOP/cycle of the widest FMA the CPU \
            has (AVX-512: 64, AVX2: 32) × the clock /proc/cpuinfo reports.

            Example:
              edgeflow benchmark resnet50.efa --threads 1 --iterations 50
              edgeflow benchmark resnet50.efa --threads 2 --json > result.json
              edgeflow benchmark det.efx --input x=page.npy
            """)

    @Argument(help: "The archive to time.")
    var archive: String

    @OptionGroup var execution: ExecutionOptions

    @Option(help: ArgumentHelp(
        "Expected batch (the archive's leading input dimension), 1 to 1,000,000; an error if it differs.",
        valueName: "b"))
    var batch: Int?

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=FILE.npy (repeatable), or FILE.npy "
        + "for a one-input model. Default: synthetic inputs.", valueName: "name=file"))
    var inputs: [InputArgument] = []

    @Option(help: ArgumentHelp("Timed runs, 1 to 100,000.", valueName: "k"))
    var iterations = 20

    @Option(help: ArgumentHelp("Untimed runs before timing, 0 to 10,000.", valueName: "w"))
    var warmup = 3

    /// The valid ranges of --batch, --iterations and --warmup.
    static let batchRange = 1...1_000_000
    static let iterationsRange = 1...100_000
    static let warmupRange = 0...10_000

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        func check(_ value: Int, _ range: ClosedRange<Int>, _ option: String) throws {
            guard range.contains(value) else {
                throw ValidationError(
                    "\(option) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            }
        }
        try check(iterations, Self.iterationsRange, "--iterations")
        try check(warmup, Self.warmupRange, "--warmup")
        if let batch { try check(batch, Self.batchRange, "--batch") }
    }

    func run() throws {
        try CommandSupport.run {
            let url = CommandSupport.url(archive)
            if try FileKind.detect(url: url) == .efx { return try runExecutable(url) }
            try ModelFileKinds.require(url, is: .efa, for: "benchmark")
            let graph = try EdgeflowArchive.read(from: url).graph
            let archiveBatch = try graph.inputs.first.map { try graph.type(of: $0).shape.first ?? 1 } ?? 1
            if let batch, batch != archiveBatch {
                throw EdgeflowError(.invalidArgument,
                    "\(archive) was parsed for batch \(archiveBatch), not \(batch)",
                    hint: "re-parse the ONNX model with --input-shape NAME=\(batch),... to compile batch \(batch)")
            }
            let declared = try graph.inputs.map { TensorDescriptor(name: $0, dtype: try graph.type(of: $0).dtype,
                                                                   shape: try graph.type(of: $0).shape) }
            let given = try ExecutableInputs.given(inputs.map(\.text), for: declared)
            let runner = try execution.makeRunner(for: graph)
            let measurement = try BenchmarkMeasurement.measure(
                runner, inputs: given, referenceMacs: graph.nodes.reduce(0) { $0 + MacCount.of($1, graph) },
                iterations: iterations, warmup: warmup)
            var result = BenchmarkResult(archive: archive, graph: graph.name, engine: runner.engineName,
                                         threads: Parallel.threadCount, batch: archiveBatch,
                                         iterations: iterations, warmup: warmup, measurement: measurement)
            result.inputs = inputSource
            if json { try CommandSupport.printJSON(result) } else { print(result.text) }
        }
    }

    /// Times an executable as the deploy-only runtime runs it (no reference engine: --reference
    /// and --precision belong to archives).
    private func runExecutable(_ url: URL) throws {
        if execution.reference {
            throw EdgeflowError(.invalidArgument, "--reference runs an archive's graph on the interpreter",
                                hint: "benchmark the .efa it was compiled from")
        }
        if let threads = execution.threads { Parallel.setThreadCount(threads) }
        let model = try EdgeflowModel(contentsOf: url)
        let modelBatch = model.inputs.first?.shape.first ?? 1
        if let batch, batch != modelBatch {
            throw EdgeflowError(.invalidArgument, "\(archive) was compiled for batch \(modelBatch), not \(batch)",
                                hint: "re-parse and compile the model with --input-shape NAME=\(batch),...")
        }
        let given = try ExecutableInputs.given(inputs.map(\.text), for: model.inputs)
        var report = CompileReport()
        report.fallbacks = model.fallbacks
        let measurement = try BenchmarkMeasurement.measure(
            .compiled(ExecutionContext(program: model.program), report), inputs: given, referenceMacs: 0,
            iterations: iterations, warmup: warmup)
        var result = BenchmarkResult(archive: archive, graph: model.name, engine: "efx", threads: Parallel.threadCount,
                                     batch: modelBatch, iterations: iterations, warmup: warmup,
                                     measurement: measurement)
        result.inputs = inputSource
        if json { try CommandSupport.printJSON(result) } else { print(result.text) }
    }

    /// What the runs were fed, for the report.
    private var inputSource: String {
        inputs.isEmpty ? "synthetic (\(ExecutableInputs.syntheticNote))" : inputs.map(\.text).joined(separator: ", ")
    }
}
