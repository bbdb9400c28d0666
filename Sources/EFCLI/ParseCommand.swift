// `edgeflow parse`: ONNX or TFLite model (told apart by their bytes) → `.efa` archive (state native).

import ArgumentParser
import EFArchive
import EFCore
import EFIR
import EFONNX
import EFTFLite
import Foundation

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Translate an ONNX or TFLite model into an Edgeflow archive (.efa).",
        discussion: """
            Reads MODEL.onnx or MODEL.tflite (recognized by its bytes), lowers it onto Edgeflow's \
            core ops with every shape resolved, \
            and writes an archive holding metadata.json, graph.json and weights.npz (a zip that \
            unzip and numpy.load open). A dynamic batch (first) dimension becomes 1, with a note \
            on stderr; other dynamic dimensions need --input-shape. \
            --start-node-names / --end-node-names cut pre- or post-processing off the graph. \
            --input-value freezes an input to constant values, so what depends on it folds: an If \
            whose condition becomes known keeps only the branch taken. \
            A TFLite model keeps its NHWC inputs and outputs (docs/tflite.md); --input-shape may \
            change its inputs only where the file leaves a dimension open (shape signature -1); \
            --input-value and the node cuts apply to ONNX models only; --state-io to TFLite models.

            The archive is written atomically: on any error nothing is written.

            Example:
              edgeflow parse resnet50.onnx -o resnet50.efa --input-shape input=1,3,224,224
              edgeflow parse silero_vad.onnx --input-value sr=16000 --input-shape input=1,512 \
                --input-shape state=2,1,128
            """)

    @Argument(help: "The ONNX or TFLite model file.")
    var model: String

    @Option(name: [.short, .customLong("output")],
            help: "The archive to write (default: MODEL's name with .efa, in the current directory).")
    var output: String?

    @Option(name: .customLong("input-shape"),
            help: ArgumentHelp("Fix an input's shape, e.g. images=1,3,640,640 (repeatable).", valueName: "name=dims"))
    var inputShapes: [NamedShape] = []

    @Option(name: .customLong("input-value"),
            help: ArgumentHelp("Freeze an input to constant values, e.g. sr=16000 (repeatable).",
                               valueName: "name=values"))
    var inputValues: [NamedValues] = []

    @Option(name: .customLong("start-node-names"), parsing: .upToNextOption,
            help: "Start the graph at these ONNX nodes' inputs (their inputs become graph inputs).")
    var startNodeNames: [String] = []

    @Option(name: .customLong("end-node-names"), parsing: .upToNextOption,
            help: "End the graph at these ONNX nodes (their outputs become graph outputs).")
    var endNodeNames: [String] = []

    @Flag(name: .customLong("state-io"), help: ArgumentHelp(
        "TFLite models with resource variables (streaming state): make each variable an input named as the "
            + "variable and an output NAME:next, to carry the state from run to run."))
    var stateIO = false

    @Flag(help: "Print a machine-readable summary.")
    var json = false

    func validate() throws {
        let valued = inputValues.map(\.name)
        if let repeated = valued.first(where: { name in valued.filter { $0 == name }.count > 1 }) {
            throw ValidationError("--input-value gives input '\(repeated)' more than once")
        }
        let names = inputShapes.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ValidationError("--input-shape gives input '\(repeated)' more than once")
        }
    }

    func run() throws {
        try CommandSupport.run {
            let modelURL = CommandSupport.url(model)
            let outputURL = CommandSupport.url(output ?? (modelURL.deletingPathExtension().lastPathComponent + ".efa"))
            guard outputURL.resolvingSymlinksInPath() != modelURL.resolvingSymlinksInPath() else {
                throw EdgeflowError(.invalidArgument, "the output \(output ?? "") would overwrite the model",
                                    hint: "write the archive to another path with -o NAME.efa")
            }
            guard FileManager.default.isReadableFile(atPath: modelURL.path) else {
                throw EdgeflowError(.io, "cannot read \(model): no such readable file")
            }
            let isTFLite = try FileKind.detect(url: modelURL) == .tflite
            if stateIO && !isTFLite {
                throw EdgeflowError(.invalidArgument, "--state-io applies to TFLite models; \(model) is an ONNX model")
            }
            if isTFLite, !inputValues.isEmpty || !startNodeNames.isEmpty || !endNodeNames.isEmpty {
                throw EdgeflowError(.invalidArgument, "--input-value, --start-node-names and --end-node-names apply "
                    + "to ONNX models; \(model) is a TFLite model")
            }
            let (graph, notes) = try ImportNotes.collect {
                isTFLite ? try TFLiteImporter.importModel(at: modelURL, exposingState: stateIO, inputShapes:
                    Dictionary(uniqueKeysWithValues: inputShapes.map { ($0.name, $0.shape) }))
                    : try importONNX(modelURL)
            }
            for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            let source = try SourceModel(describing: modelURL)
            let metadata = try ArchiveMetadata(describing: graph, sourceModel: source)
            try EdgeflowArchive.write(graph: graph, metadata: metadata, to: outputURL)
            try report(graph: graph, source: source, archive: outputURL)
        }
    }

    /// Reads the ONNX model once: its input declarations type the --input-value tensors.
    private func importONNX(_ url: URL) throws -> Graph {
        let onnx = try OnnxModel(contentsOf: url)
        let options = ImportOptions(
            inputShapes: Dictionary(uniqueKeysWithValues: inputShapes.map { ($0.name, $0.shape) }),
            startNodeNames: startNodeNames, endNodeNames: endNodeNames,
            frozenInputs: try InputValues.tensors(inputValues, for: onnx.graph))
        return try ONNXImporter.importModel(onnx, baseDirectory: url.deletingLastPathComponent(), options: options)
    }

    private struct Report: Encodable {
        var archive: String
        var sourceModel: SourceModel
        var summary: ModelSummary
    }

    private func report(graph: Graph, source: SourceModel, archive: URL) throws {
        let summary = ModelSummary(graph)
        if json {
            try CommandSupport.printJSON(Report(archive: archive.path, sourceModel: source, summary: summary))
            return
        }
        print("parsed \(model) (sha256 \(source.sha256.prefix(16))…) → \(CommandSupport.display(archive))")
        for line in summary.lines { print("  " + line) }
    }
}
