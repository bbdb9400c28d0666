// `edgeflow analyze-noise`: per int8 layer of a quantized archive, the noise it carries and the
// noise it causes, measured against the float archive it was made from on data samples, written
// as a self-contained HTML page (and with --json as JSON on stdout). The float reference is the
// archive given to `edgeflow optimize --calib-set` (native, optimized here as optimize does, or
// fp-optimized), so quantized archives stay small. See docs/noise-analysis.md.

import ArgumentParser
import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFMedia
import EFQuantize
import Foundation

struct AnalyzeNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze-noise",
        abstract: "Measure the quantization noise of every int8 layer and write an HTML report.",
        discussion: """
            Runs the quantized archive and the float archive it was made from on the data \
            samples and reports, per int8 layer, most sensitive first: the sensitivity SNR (only \
            that layer in int8, at the model outputs), the accumulated SNR (the whole model in \
            int8, at the layer's output), the cosine per sample (mean and min), the clip rate, \
            the share of values beyond the u8 range and the codes used (u8 outputs), the largest \
            per-channel mean error and the MACs. SNR = 10·log10(Σx²/Σ(x̂−x)²), capped at 140 dB; \
            layers below 10 dB are flagged. Formulas: docs/noise-analysis.md.

            --float is the archive given to `edgeflow optimize --calib-set` (a native archive is \
            optimized here as optimize does) or its fp-optimized stage. --data is like \
            --calib-set (photos with --recipe/--size, an .npy/.npz, or a folder of them); use \
            samples that are not in the calibration set.

            Examples:
              edgeflow optimize det.efa --calib-set calib/ --recipe letterbox -o det.q.efa
              edgeflow analyze-noise det.q.efa --float det.efa --data holdout/ --recipe letterbox -o noise.html
              edgeflow analyze-noise det.q.efa --float det.efa --data x.npy -o noise.html --json > noise.json
            """)

    @Argument(help: "The quantized archive (made by edgeflow optimize --calib-set).")
    var archive: String

    @Option(name: .customLong("float"), help: ArgumentHelp("The archive the quantized one was made from (native or "
        + "fp-optimized).", valueName: "model.efa"))
    var floatArchive: String

    @Option(help: ArgumentHelp("The data samples: a folder of photos (with --recipe), an .npy/.npz, or a folder of "
        + "them.", valueName: "path"))
    var data: String

    @Option(help: ArgumentHelp("Samples to use, the first in file order (1…10000).", valueName: "n"))
    var samples = 16

    @Option(help: ArgumentHelp("The preprocessing recipe that turns photos into model inputs (default: the one in "
        + "the quantized archive's model script, if any).", valueName: "name"))
    var recipe: String?

    @Option(help: ArgumentHelp("The recipe's main size (1…8192).", valueName: "n"))
    var size: Int?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The HTML report to write.",
                                                                                  valueName: "report.html"))
    var output: String

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Most memory the samples, and separately the "
        + "tensors the analysis keeps, may take, e.g. 512M, 8G. Default: half the physical memory.",
        valueName: "size"))
    var maxMemory: ByteSizeArgument?

    @Flag(help: "Print the report as JSON on stdout (without the scatter plots' sampled points).")
    var json = false

    static let samplesRange = 1...10_000

    func validate() throws {
        guard Self.samplesRange.contains(samples) else {
            throw ValidationError("--samples must be in 1…10000, got \(samples)")
        }
        if let size, !PreprocessCommand.sizeRange.contains(size) {
            throw ValidationError("--size must be in 1…8192, got \(size)")
        }
        if size != nil, recipe == nil { throw ValidationError("--size needs --recipe") }
    }

    func run() throws {
        try CommandSupport.run {
            let quantizedURL = CommandSupport.url(archive), floatURL = CommandSupport.url(floatArchive)
            let reportURL = CommandSupport.url(output)
            try ProfileCommand.checkWritable(reportURL, shown: output)
            try ModelFileKinds.require(quantizedURL, is: .efa, for: "analyze-noise")
            try ModelFileKinds.require(floatURL, is: .efa, for: "analyze-noise --float")
            let quantized = try EdgeflowArchive.read(from: quantizedURL).graph
            guard quantized.stage == .quantized else {
                throw EdgeflowError(.invalidInput, "\(archive) is \(quantized.stage.rawValue), not quantized",
                                    hint: "quantize it first: edgeflow optimize \(archive) --calib-set DIR "
                                        + "-o MODEL.q.efa, then analyze MODEL.q.efa --float \(archive)")
            }
            let script = try quantized.metadata[QuantizeStage.scriptKey].map {
                try ModelScript(parsing: $0, fileName: "\(archive): the stored model script")
            }
            let float = try floatReference(try EdgeflowArchive.read(from: floatURL).graph, script: script)
            let budget = RunMemory.budget(maxMemory?.bytes)
            let yuv = ScriptInputLayers.yuv(of: script)
            let inputs = try float.inputs.map { CalibrationInput(name: $0, dtype: try float.type(of: $0).dtype,
                                                                   shape: try float.type(of: $0).shape, yuv: yuv) }
            let reading = ProgressLine("reading data", unit: "files")
            let set = try CalibrationSet.load(
                from: CommandSupport.url(data), inputs: inputs,
                recipe: try OptimizeCommand.calibrationRecipe(recipe, size: size, for: float)
                    ?? script?.preprocessRecipe(),
                limit: samples, budgetBytes: budget.limitBytes, progress: reading.update)
            for skipped in set.skipped {
                FileHandle.standardError.write(Data("warning: skipped \(skipped.file): \(skipped.reason)\n".utf8))
            }
            let comparing = ProgressLine("comparing float and int8", unit: "samples")
            let alone = ProgressLine("sensitivity (one int8 layer at a time)", unit: "layers")
            let options = NoiseAnalysisOptions(
                model: quantizedURL.lastPathComponent, dataSource: set.source, budget: budget,
                progress: { phase, done, total in
                    (phase == .accumulated ? comparing : alone).update(done, of: total)
                })
            let report: NoiseReport
            do {
                report = try NoiseAnalysis.analyze(quantized: quantized, float: float, samples: set.samples, options)
            } catch let error as EdgeflowError {
                throw error.prefixed("\(archive) against \(floatArchive)")
            }
            try AtomicFile.write(Data(NoiseHTML.render(report).utf8), to: reportURL)
            if json { return try CommandSupport.printJSON(report.withoutPoints) }
            for line in Self.describe(report, file: CommandSupport.display(reportURL)) { print(line) }
        }
    }

    /// The fp-optimized float graph: as given, or a native archive optimized as `edgeflow optimize`
    /// does (with the stored model script's input layers in front first).
    private func floatReference(_ graph: Graph, script: ModelScript?) throws -> Graph {
        switch graph.stage {
        case .fpOptimized:
            return graph
        case .native:
            var graph = graph
            if let script, ScriptInputLayers.change(script) {
                graph = try ScriptInputLayers.apply(script, to: graph)
            }
            return try ModelPipeline.optimize(graph).graph
        case .quantized:
            throw EdgeflowError(.invalidArgument, "--float \(floatArchive) is quantized too",
                                hint: "give the archive the quantized one was made from (the input of "
                                    + "edgeflow optimize --calib-set)")
        }
    }

    /// Lines for people: the outputs, the flagged layers and the five most sensitive.
    static func describe(_ report: NoiseReport, file: String) -> [String] {
        var lines = ["\(report.layers.count) int8 layer(s) on \(report.samples) sample(s); report: \(file)"]
        for output in report.outputs {
            lines.append(String(format: "output %@: SNR %.1f dB, cosine mean %.5f, min %.5f", output.name,
                                output.snr, output.cosineMean, output.cosineMin))
        }
        let flagged = report.layers.filter(\.flagged)
        lines.append("\(flagged.count) layer(s) below \(Int(report.flagBelow)) dB"
            + (flagged.isEmpty ? "" : ": " + flagged.map(\.layer).joined(separator: ", ")))
        lines.append("most sensitive (sensitivity SNR / accumulated SNR):")
        for layer in report.layers.prefix(5) {
            lines.append(String(format: "  %@ (%@): %.1f dB / %.1f dB", layer.layer, layer.op, layer.sensitivitySNR,
                                layer.accumulatedSNR))
        }
        return lines
    }
}
