// `edgeflow profile`: runs an executable (.efx) several times with per-step timings and writes
// the per-layer report (EFProfiler) as one self-contained HTML page, plus a short summary or,
// with --json, the report as JSON on stdout.

import ArgumentParser
import EFArchive
import EFCore
import EFKernels
import EFProfiler
import EdgeflowRuntime
import Foundation

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Profile an executable (.efx) layer by layer and write an HTML report.",
        discussion: """
            After --warmup untimed runs, --runs runs are timed step by step. The report gives, \
            per step, the median, min and max time, the kernel, layout and precision, the \
            multiply-accumulates and bytes moved, and the GFLOP/s achieved against the CPU's \
            nominal fp32 peak (threads × FLOP/cycle of its widest FMA × the clock in /proc/cpuinfo).

            Inputs come from --input NAME=FILE.npy (every input then needs one); without any, \
            the run uses synthetic inputs of the declared dtypes and shapes (floats uniform in \
            [0, 1) and uint8 bytes from a fixed seed, other integers 0), and says so.

            The HTML page needs no network; its table sorts by any column (#sort=-median in \
            the address sorts by median, slowest first). It is written atomically: a failed \
            run leaves no partial file.

            Example:
              edgeflow profile resnet50.efx -o profile.html --threads 1
              edgeflow profile resnet50.efx -o profile.html --json > profile.json
            """)

    @Argument(help: "The executable to profile (.efx, made by `edgeflow compile`).")
    var model: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The HTML report to write.",
                                                                     valueName: "report.html"))
    var output: String

    @Flag(help: "Print the report as JSON on stdout instead of the text summary.")
    var json = false

    @Option(help: ArgumentHelp("Timed runs, 1 to 10,000.", valueName: "n"))
    var runs = 20

    @Option(help: ArgumentHelp("Untimed runs before timing, 0 to 10,000.", valueName: "n"))
    var warmup = 3

    @Option(help: ArgumentHelp("Threads (OpenMP, shared by oneDNN and Edgeflow's kernels), "
                               + "1…\(Parallel.maxRequestedThreads). Default: OMP_NUM_THREADS, else all cores.",
                               valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=FILE.npy (repeatable), or FILE.npy "
        + "for a one-input model. Default: synthetic inputs.", valueName: "name=file"))
    var inputs: [InputArgument] = []

    /// The valid ranges of --runs and --warmup.
    static let runsRange = 1...10_000
    static let warmupRange = 0...10_000

    func validate() throws {
        guard Self.runsRange.contains(runs) else {
            throw ValidationError("--runs must be between 1 and 10000, got \(runs)")
        }
        guard Self.warmupRange.contains(warmup) else {
            throw ValidationError("--warmup must be between 0 and 10000, got \(warmup)")
        }
        if let threads, !(1...Parallel.maxRequestedThreads).contains(threads) {
            throw ValidationError("--threads must be in 1…\(Parallel.maxRequestedThreads), got \(threads)")
        }
    }

    func run() throws {
        try CommandSupport.run {
            let modelURL = CommandSupport.url(model)
            try ModelFileKinds.require(modelURL, is: .efx, for: "profile")
            let reportURL = CommandSupport.url(output)
            try Self.checkWritable(reportURL, shown: output)
            if let threads { EdgeflowModel.setThreadCount(threads) }
            let loaded = try EdgeflowModel(contentsOf: modelURL)
            let given = try ExecutableInputs.given(inputs.map(\.text), for: loaded.inputs)
            // Said on stdout with the summary, on stderr when stdout is the JSON report.
            let synthetic = "inputs: synthetic (\(ExecutableInputs.syntheticNote)); "
            let note = inputs.isEmpty && !loaded.inputs.isEmpty ? synthetic
                + "give --input NAME=FILE.npy to profile on real data\n" : ""
            let report = try ProfileSession.measure(loaded, inputs: given, runs: runs, warmup: warmup)
            try AtomicFile.write(Data(ProfileHTML.render(report).utf8), to: reportURL)
            if json {
                FileHandle.standardError.write(Data(note.utf8))
                FileHandle.standardOutput.write(try report.jsonData() + Data("\n".utf8))
            } else {
                print(note + ProfileSession.summary(report, warmup: warmup, file: CommandSupport.display(reportURL)))
            }
        }
    }

    /// Fails before any run when the report could not be written: a missing directory, or a
    /// directory where the file should go.
    static func checkWritable(_ url: URL, shown: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw EdgeflowError(.io, "cannot write the report to \(shown): it is a directory",
                                hint: "give a file name, e.g. -o \(shown)/profile.html")
        }
        let directory = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw EdgeflowError(.io, "cannot write the report to \(shown): the directory "
                + "\(CommandSupport.display(directory)) does not exist")
        }
    }
}
