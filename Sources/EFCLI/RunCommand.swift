// `edgeflow run`: runs an executable (.efx) with the deploy-only runtime on inputs from .npy
// files, or on a photo when the executable embeds a recipe, and writes one .npy per output
// (the same output contract as `infer`).

import ArgumentParser
import EFCore
import EFIR
import EFKernels
import EFMedia
import EdgeflowRuntime
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an Edgeflow executable (.efx) on .npy inputs or a photo and write .npy outputs.",
        discussion: """
            Loads the executable (the weights are memory-mapped; kernels are prepared for this \
            CPU), runs it once and writes DIR/<output name>.npy per output (characters outside \
            [A-Za-z0-9._-] become _). Nothing is written when the run fails.

            Inputs: --input NAME=FILE.npy per input (FILE.npy alone for a one-input model), with \
            exactly the dtype and shape the executable declares (`edgeflow inspect MODEL.efx`); or \
            --image PHOTO when the executable embeds a preprocessing recipe (compile --recipe).

            Files are recognized by their bytes: an archive (.efa) must be compiled first \
            (edgeflow compile), an ONNX model parsed first, a Hailo .hef runs on a Hailo device.

            Examples:
              edgeflow run resnet50.efx --input input=cat.npy --output-dir out
              edgeflow run clip.efx --image photo.jpg --output-dir out --json
            """)

    @Argument(help: "The executable to run.")
    var executable: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=FILE.npy (repeatable), or FILE.npy "
        + "for a one-input model.", valueName: "name=file"))
    var inputs: [InputArgument] = []

    @Option(help: ArgumentHelp("A photo for the executable's image input (needs an embedded recipe).",
                               valueName: "photo"))
    var image: String?

    @Option(help: ArgumentHelp("Refuse photos with more pixels than this; 1…\(DecodeOptions.maxPixelsCeiling).",
                               valueName: "n"))
    var maxPixels = DecodeOptions.defaultMaxPixels

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("The directory to write outputs to (created if "
        + "needed).", valueName: "dir"))
    var outputDirectory: String

    @Option(help: ArgumentHelp("Threads for one inference, 1…\(Parallel.maxRequestedThreads). Default: "
                               + "OMP_NUM_THREADS, else all cores.", valueName: "n"))
    var threads: Int?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        if let threads, !(1...Parallel.maxRequestedThreads).contains(threads) {
            throw ValidationError("--threads must be in 1…\(Parallel.maxRequestedThreads), got \(threads)")
        }
        if image != nil && !inputs.isEmpty { throw ValidationError("give --image or --input, not both") }
        guard (1...DecodeOptions.maxPixelsCeiling).contains(maxPixels) else {
            throw ValidationError("--max-pixels must be in 1…\(DecodeOptions.maxPixelsCeiling), got \(maxPixels)")
        }
    }

    func run() throws {
        try CommandSupport.run {
            let url = CommandSupport.url(executable)
            try ModelFileKinds.require(url, is: .efx, for: "run")
            if let threads { Parallel.setThreadCount(threads) }
            let model = try EdgeflowModel(contentsOf: url)
            let tensors = try loadInputs(model)
            let directory = CommandSupport.url(outputDirectory)
            try OutputFiles.checkUsable(directory)
            let start = Date()
            let results = try model.run(tensors)
            let seconds = Date().timeIntervalSince(start)
            let names = model.outputs.map(\.name)
            let planned = zip(names, OutputFiles.fileNames(for: names)).compactMap { name, file in
                results[name].map { (url: directory.appendingPathComponent(file), tensor: $0) }
            }
            try OutputFiles.write(planned, into: directory)
            try RunReport(outputs: zip(names, planned).map { name, file in
                RunReport.Output(name: name, file: file.url.path, dtype: file.tensor.dtype.rawValue,
                                 shape: file.tensor.shape, statistics: OutputFiles.Statistics(file.tensor)?.text)
            }, engine: "efx", seconds: seconds).print(json: json)
        }
    }

    private func loadInputs(_ model: EdgeflowModel) throws -> [String: Tensor] {
        if let image { return try model.imageInput(contentsOf: CommandSupport.url(image), maxPixels: maxPixels) }
        return try ExecutableInputs.files(inputs.map(\.text), for: model.inputs)
    }
}

/// What `run` reports: the files written, as text or JSON (the fields of `infer --json`).
struct RunReport: Encodable {
    struct Output: Encodable {
        var name: String
        var file: String
        var dtype: String
        var shape: [Int]
        var statistics: String?
    }
    var outputs: [Output]
    var engine: String
    var seconds: Double

    func print(json: Bool) throws {
        if json { return try CommandSupport.printJSON(self) }
        let width = outputs.map(\.name.count).max() ?? 0
        for output in outputs {
            Swift.print("\(output.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(output.dtype)"
                + "\(output.shape.shapeDescription)  \(output.statistics ?? "empty")  → "
                + CommandSupport.display(URL(fileURLWithPath: output.file)))
        }
        Swift.print(String(format: "inference took %.3f s", seconds) + " (\(engine) engine)")
    }
}
