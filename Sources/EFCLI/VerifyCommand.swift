// `edgeflow verify`: checks that a compiled executable gives the quantized emulator's bytes — the
// contract of docs/numerics.md — on seeded random inputs (and any given .npy files): the archive's
// graph runs with `--emulate quantized` semantics, the .efx as `edgeflow run` runs it, and every
// output byte is compared. Exit status 1 when any byte differs.

import ArgumentParser
import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFRuntime
import EdgeflowRuntime
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that an executable gives the quantized emulator's bytes on random inputs.",
        discussion: """
            The archive (a quantized .efa) runs on the quantized emulator (integer steps on the \
            reference kernels, as `infer --emulate quantized`); the executable (the .efx \
            `edgeflow compile` made from it) runs as `edgeflow run` runs it, on this CPU's \
            kernels. Both get the same inputs: the --input files first, then --random seeded \
            random inputs (floats uniform in --range, uint8 any byte, integers uniform in \
            --int-range, for token ids). Every output byte is compared; the exit status is 1 \
            when any differs, 0 when all are equal.

            Run it under ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN's kernels) or EDGEFLOW_SIMD=avx2 or \
            baseline (Edgeflow's SIMD kernels) to check a narrower instruction set on the \
            same machine; the report names the caps in effect.

            Example:
              edgeflow verify rec.q.efa rec.q.efx --random 1000
              edgeflow verify text.q.efa text.q.efx --random 200 --int-range 0,49407 --json
            """)

    @Argument(help: "The quantized archive (.efa) the executable was compiled from.")
    var archive: String

    @Argument(help: "The executable (.efx) to check.")
    var executable: String

    @Option(help: ArgumentHelp("Seeded random inputs to compare on, 0 to 1,000,000.", valueName: "n"))
    var random = 100

    @Option(help: ArgumentHelp("Seed of the random inputs.", valueName: "s"))
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Range of random float inputs, LOW,HIGH (e.g. -2,2).",
                                                        valueName: "low,high"))
    var range = "-1,1"

    @Option(name: .customLong("int-range"), parsing: .unconditional, help: ArgumentHelp(
        "Range of random integer inputs (inclusive), "
        + "LOW,HIGH: keep token ids below the vocabulary size.", valueName: "low,high"))
    var intRange = "0,999"

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=FILE.npy (repeatable), or FILE.npy "
        + "for a one-input model: checked before the random ones.", valueName: "name=file"))
    var inputs: [InputArgument] = []

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        guard (0...1_000_000).contains(random) else {
            throw ValidationError("--random must be between 0 and 1000000, got \(random)")
        }
        _ = try ranges()
        guard random > 0 || !inputs.isEmpty else {
            throw ValidationError("nothing to compare: --random 0 and no --input")
        }
    }

    /// --range and --int-range, parsed and checked.
    private func ranges() throws -> (floats: (Double, Double), integers: (Int64, Int64)) {
        let floats = try Self.pair(range, "--range", Double.init)
        guard floats.0.isFinite, floats.1.isFinite, floats.0 <= floats.1 else {
            throw ValidationError("--range needs finite LOW ≤ HIGH, got '\(range)'")
        }
        let integers = try Self.pair(intRange, "--int-range") { Int64($0) }
        guard integers.0 <= integers.1 else {
            throw ValidationError("--int-range needs LOW ≤ HIGH, got '\(intRange)'")
        }
        return (floats, integers)
    }

    /// "LOW,HIGH" as two values.
    static func pair<T>(_ text: String, _ option: String, _ parse: (String) -> T?) throws -> (T, T) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let low = parse(parts[0]), let high = parse(parts[1]) else {
            throw ValidationError("\(option) must be LOW,HIGH, got '\(text)'")
        }
        return (low, high)
    }

    func run() throws {
        var equal = true
        try CommandSupport.run {
            let archiveURL = CommandSupport.url(archive), executableURL = CommandSupport.url(executable)
            try ModelFileKinds.require(archiveURL, is: .efa, for: "verify")
            try ModelFileKinds.require(executableURL, is: .efx, for: "verify")
            let graph = try EdgeflowArchive.read(from: archiveURL).graph
            guard graph.stage == .quantized else {
                throw EdgeflowError(.invalidArgument, "\(archive) is \(graph.stage.rawValue), not quantized: verify "
                                        + "compares the quantized emulator with an int8 executable",
                                    hint: "quantize it first: edgeflow optimize \(archive) --calib-set DIR "
                                        + "-o MODEL.q.efa")
            }
            let model = try EdgeflowModel(contentsOf: executableURL)
            try checkInterface(graph, model)
            let emulator = ExecutionContext(program: try Compiler.compile(
                graph, CompileOptions(emulateIntegerSteps: true)).program)
            let given = inputs.isEmpty ? [] : [try ExecutableInputs.files(inputs.map(\.text), for: model.inputs)]
            let (floats, integers) = try ranges()
            var generator = RandomInputs(seed: seed, floats: floats, integers: integers)
            var comparison = OutputComparison(outputs: model.outputs.map(\.name))
            let progress = ProgressLine("comparing", unit: "runs")
            let total = given.count + random
            for done in 0..<total {
                let sample = done < given.count ? given[done] : try generator.next(for: model.inputs)
                try comparison.add(emulated: try emulator.run(sample), ran: try model.run(sample))
                progress.update(done + 1, of: total)
            }
            let report = VerifyReport(archive: archive, executable: executable, runs: total, randomRuns: random,
                                      seed: seed, outputs: comparison.results)
            if json { try CommandSupport.printJSON(report) } else { report.printText() }
            equal = report.equal
        }
        if !equal { throw ExitCode(1) }
    }

    /// The executable must take and give what the archive's graph does.
    private func checkInterface(_ graph: Graph, _ model: EdgeflowModel) throws {
        let archiveInputs = try graph.inputs.map { "\($0) \(try graph.type(of: $0))" }
        let archiveOutputs = try graph.outputs.map { "\($0) \(try graph.type(of: $0))" }
        let modelInputs = model.inputs.map { "\($0.name) \(TensorType($0.dtype, $0.shape))" }
        let modelOutputs = model.outputs.map { "\($0.name) \(TensorType($0.dtype, $0.shape))" }
        guard archiveInputs == modelInputs, archiveOutputs == modelOutputs else {
            throw EdgeflowError(.invalidInput, "\(executable) was not compiled from \(archive): it takes "
                + modelInputs.joined(separator: ", ") + " and gives " + modelOutputs.joined(separator: ", ")
                + "; the archive takes " + archiveInputs.joined(separator: ", ") + " and gives "
                + archiveOutputs.joined(separator: ", "),
                hint: "compile it again: edgeflow compile \(archive) -o \(executable)")
        }
    }
}
