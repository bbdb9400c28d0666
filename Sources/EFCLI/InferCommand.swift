// `edgeflow infer`: runs an archive's graph on inputs from `.npy` files (the compiled fast
// path by default, the reference interpreter with --reference) and writes one `.npy` per output.

import ArgumentParser
import EFArchive
import EFCore
import EFIR
import Foundation

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run an Edgeflow archive (.efa) on .npy inputs and write .npy outputs.",
        discussion: """
            Each --input gives one model input as NAME=FILE.npy (FILE.npy alone when the model \
            has one input). Every array must have exactly the dtype and shape the model \
            expects (`edgeflow inspect` lists them with their byte sizes); on a mismatch the \
            error says what was expected, what was given and the likely fix, such as \
            a.astype(numpy.float32) or a.transpose(0, 3, 1, 2).

            Outputs are written to DIR/<output name>.npy (characters outside [A-Za-z0-9._-] \
            become _). Nothing is written when inference fails.

            By default the graph is optimized and compiled to fast kernels (oneDNN for \
            conv/matmul, SIMD kernels for the rest); --reference runs the plain reference \
            kernels instead, which define the arithmetic. Both agree within float tolerance.

            Example:
              edgeflow infer resnet50.efa --input input=cat.npy --output-dir out
              python -c "import numpy; print(numpy.load('out/output.npy').argmax())"
            """)

    @Argument(help: "The archive to run.")
    var archive: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input as NAME=FILE.npy (repeatable), or FILE.npy "
        + "for a one-input model.", valueName: "name=file"))
    var inputs: [InputArgument] = []

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("The directory to write outputs to (created if "
        + "needed).", valueName: "dir"))
    var outputDirectory: String

    @OptionGroup var execution: ExecutionOptions

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    private struct Report: Encodable {
        struct Output: Encodable {
            var name: String
            var file: String
            var dtype: String
            var shape: [Int]
        }
        var outputs: [Output]
        var engine: String
        var seconds: Double
    }

    func run() throws {
        try CommandSupport.run {
            try ModelFileKinds.require(CommandSupport.url(archive), is: .efa, for: "infer")
            let graph = try EdgeflowArchive.read(from: CommandSupport.url(archive)).graph
            let files = try InputAssignment.resolve(inputs.map(\.text), graph: graph)
            try RunMemory.checkTypes(graph)
            try RunMemory.checkInputFiles(files, execution.memoryBudget)
            var tensors: [String: Tensor] = [:]
            for name in graph.inputs {
                guard let url = files[name] else { continue }
                tensors[name] = try InputCheck.load(input: name, from: url, expected: graph.type(of: name))
            }
            let directory = CommandSupport.url(outputDirectory)
            try OutputFiles.checkUsable(directory)

            let runner = try execution.makeRunner(for: graph)
            let start = Date()
            let results = try runner.run(tensors)
            let seconds = Date().timeIntervalSince(start)

            let names = OutputFiles.fileNames(for: graph.outputs)
            var planned: [(url: URL, tensor: Tensor)] = []
            for (output, fileName) in zip(graph.outputs, names) {
                guard let tensor = results[output] else {
                    throw EdgeflowError(.internalError, "no value was computed for output '\(output)'")
                }
                planned.append((url: directory.appendingPathComponent(fileName), tensor: tensor))
            }
            try OutputFiles.write(planned, into: directory)
            try report(graph.outputs, planned, engine: runner.engineName, seconds: seconds)
        }
    }

    private func report(_ outputs: [String], _ files: [(url: URL, tensor: Tensor)], engine: String,
                        seconds: Double) throws {
        if json {
            try CommandSupport.printJSON(Report(outputs: zip(outputs, files).map { name, file in
                Report.Output(name: name, file: file.url.path, dtype: file.tensor.dtype.rawValue,
                              shape: file.tensor.shape)
            }, engine: engine, seconds: seconds))
            return
        }
        let nameWidth = outputs.map(\.count).max() ?? 0
        for (name, file) in zip(outputs, files) {
            let type = "\(file.tensor.dtype.rawValue)\(file.tensor.shape.shapeDescription)"
            let stats = OutputFiles.Statistics(file.tensor)?.text ?? "empty"
            print("\(name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(type)  \(stats)  → "
                + "\(CommandSupport.display(file.url))")
        }
        print(String(format: "inference took %.3f s", seconds) + " (\(engine) engine)")
    }
}
