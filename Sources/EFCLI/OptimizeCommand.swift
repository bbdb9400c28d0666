// `edgeflow optimize`: the fp-optimized stage as its own archive, and with --calib-set the
// quantized stage, so the stages of a model (native → fp-optimized → quantized → compiled) can be
// kept, inspected and compared one by one; the archive's metadata records the stage.

import ArgumentParser
import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFMedia
import EFQuantize
import Foundation

struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Write the fp-optimized (or, with --calib-set, the quantized) stage of an archive.",
        discussion: """
            Runs the float optimization passes (dead code, constant and BatchNorm folding, \
            Clip/HardSwish/GELU/LayerNorm recognition, bias/residual/activation fusion, the \
            channels-last layout of conv regions) and writes the result with state \
            "fp-optimized". `edgeflow compile` does this itself for a native archive; this verb \
            keeps the stage to inspect (`edgeflow inspect OUT.efa --graph`) or to compare with \
            `edgeflow infer --reference` on both archives.

            With --calib-set the archive is also quantized (state "quantized"): the float \
            graph runs on the calibration samples, and every conv and matMul with constant \
            weights becomes an int8 layer (u8 activations, s8 per-channel weights, int32 \
            accumulation; docs/numerics.md) unless its input's range is not finite or the \
            model script keeps it in float or gives it 16-bit activations (a16_w8). The set \
            is a folder of photos (prepared by --recipe/--size), an .npy or .npz, or a \
            folder of them (docs/calibration.md). \
            `edgeflow infer --emulate quantized` runs the result with the reference integer \
            kernels; `edgeflow compile` makes the int8 executable.

            Examples:
              edgeflow optimize resnet50.efa -o resnet50.fp.efa
              edgeflow optimize resnet50.efa --calib-set photos/ --recipe clip --size 224 -o resnet50.q.efa
            """)

    @Argument(help: "The native archive.")
    var archive: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The archive to write.",
                                                                                  valueName: "out.efa"))
    var output: String

    @Option(name: .customLong("calib-set"), help: ArgumentHelp("Quantize with this calibration set: a folder of "
        + "photos, an .npy/.npz, or a folder of them.", valueName: "path"))
    var calibrationSet: String?

    @Option(name: .customLong("calib-size"), help: ArgumentHelp(
        "Calibration samples to use (1…100000; default: the model script's calibset_size, else 64).",
        valueName: "n"))
    var calibrationSize: Int?

    @Option(help: ArgumentHelp("The preprocessing recipe that turns calibration photos into model inputs (see "
        + "`edgeflow preprocess --help`).", valueName: "name"))
    var recipe: String?

    @Option(help: ArgumentHelp("The recipe's main size (1…8192).", valueName: "n"))
    var size: Int?

    @Option(help: ArgumentHelp("How activation ranges are chosen: mean-minmax (the mean over samples of each "
        + "sample's min and max; default), minmax (the overall extremes), percentile (the 0.01th and 99.99th "
        + "percentiles) or mse (the clip range of least squared error); overrides the model script's range.",
                               valueName: "estimator"))
    var range: String?

    @Flag(name: .customLong("bias-correction"), help: ArgumentHelp("Fold the mean output shift of rounded weights "
        + "into the bias (also the model script's post_quantization_optimization(bias_correction) and "
        + "optimization_level ≥ 1)."))
    var biasCorrection = false

    @Option(name: .customLong("model-script"), help: ArgumentHelp("A model script (docs/model-script.md): layers kept "
        + "in float, calibration size, preprocessing recipe, normalization, algorithms.", valueName: "script.alls"))
    var modelScript: String?

    @Option(name: .customLong("target-cosine"), help: ArgumentHelp("Mixed precision: promote the most sensitive "
        + "layers to a16_w8 (16-bit activations, about twice an int8 layer's work), then if needed to float, until "
        + "the outputs' mean cosine to the float model reaches this on held-back samples (0…1, e.g. 0.995).",
        valueName: "c"))
    var targetCosine: Double?

    @Option(name: .customLong("promote-to"), help: ArgumentHelp("With --target-cosine: what a sensitive layer may "
        + "become, tried in this order, a comma-separated list of a16_w8, bf16 and float (float, always the last "
        + "resort, ends the list). bf16 compiles only on CPUs with bf16 kernels (avx512_bf16, AMX). "
        + "Default: a16_w8,float.", valueName: "list"))
    var promoteTo: String?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Most memory the calibration samples may take, "
        + "e.g. 512M, 8G. Default: half the physical memory.", valueName: "size"))
    var maxMemory: ByteSizeArgument?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        if calibrationSet == nil, recipe != nil || size != nil || biasCorrection || modelScript != nil
            || targetCosine != nil {
            throw ValidationError("--recipe, --size, --bias-correction, --model-script and --target-cosine need "
                + "--calib-set")
        }
        if promoteTo != nil, targetCosine == nil {
            throw ValidationError("--promote-to needs --target-cosine")
        }
        _ = try Self.promotions(promoteTo)
        if let targetCosine, !(targetCosine > 0 && targetCosine <= 1) {
            throw ValidationError("--target-cosine must be in (0, 1], got \(targetCosine)")
        }
        if let calibrationSize, !(1...100_000).contains(calibrationSize) {
            throw ValidationError("--calib-size must be in 1…100000, got \(calibrationSize)")
        }
        if let range, Self.estimators[range] == nil {
            throw ValidationError("--range must be mean-minmax, minmax, percentile or mse, got '\(range)'")
        }
        if let size, !PreprocessCommand.sizeRange.contains(size) {
            throw ValidationError("--size must be in 1…8192, got \(size)")
        }
    }

    /// The --promote-to list (default a16_w8,float), float appended when missing.
    static func promotions(_ list: String?) throws -> [LayerPrecision] {
        guard let list else { return [.a16w8, .float] }
        var result: [LayerPrecision] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespaces)
            guard let precision = LayerPrecision(rawValue: name), precision != .a8w8 else {
                throw ValidationError("--promote-to takes a16_w8, bf16 and float, got '\(name)'")
            }
            guard !result.contains(precision) else {
                throw ValidationError("--promote-to names \(name) twice")
            }
            result.append(precision)
        }
        return result.contains(.float) ? result : result + [.float]
    }

    /// The --range values.
    static let estimators: [String: RangeEstimator] = [
        "mean-minmax": .meanMinMax, "minmax": .minMax, "mse": .mse,
        "percentile": .symmetricPercentile(QuantizationSettings.defaultPercentile),
    ]

    /// The --recipe; without --size, squash, letterbox and the OCR recipes take the model input's own
    /// height and width.
    private func calibrationRecipe(for graph: Graph) throws -> PreprocessRecipe? {
        try Self.calibrationRecipe(recipe, size: size, for: graph)
    }

    /// The recipe `recipe` (nil: none) for `graph`'s image input, as --recipe/--size give it.
    static func calibrationRecipe(_ recipe: String?, size: Int?, for graph: Graph) throws -> PreprocessRecipe? {
        guard let recipe else { return nil }
        var named = try PreprocessRecipe.named(recipe, size: size)
        if size == nil, graph.inputs.count == 1, let shape = graph.types[graph.inputs[0]]?.shape, shape.count == 4 {
            let (height, width) = shape[1] == 3 ? (shape[2], shape[3]) : (shape[1], shape[2])
            switch named.kind {
            case .squash: named.kind = .squash(width: width, height: height)
            case .letterbox: named.kind = .letterbox(width: width, height: height)
            // A fixed-size OCR model: lines padded on the right to its width (as RapidOCR pads a
            // batch) or squeezed into it, pages letterboxed into its size; both keep the OCR normalization.
            case .ocrRecognition: named = named.fitted(toHeight: height, width: width)
            case .ocrDetection: named.kind = .letterbox(width: width, height: height)
            case .clip: break
            }
        }
        return named
    }

    private struct Report: Encodable {
        var archive: String
        var state: String
        var nodesBefore: Int
        var nodesAfter: Int
        var passes: [String]
        var quantization: QuantizeSummary?
    }

    func run() throws {
        try CommandSupport.run {
            let source = CommandSupport.url(archive)
            try ModelFileKinds.require(source, is: .efa, for: "optimize")
            let contents = try EdgeflowArchive.read(from: source)
            var graph = contents.graph
            var passes: [String] = []
            let script = try modelScript.map { try ModelScript.load(contentsOf: CommandSupport.url($0)) }
            if let script, ScriptInputLayers.change(script) {
                guard graph.stage == .native else {
                    throw EdgeflowError(.invalidArgument, "\(modelScript ?? ""): normalization and input_conversion "
                        + "go into the native graph, but \(archive) is \(graph.stage.rawValue)",
                        hint: "give the archive edgeflow parse wrote")
                }
                graph = try ScriptInputLayers.apply(script, to: graph)
            }
            switch graph.stage {
            case .native:
                let optimized = try ModelPipeline.optimize(graph)
                graph = optimized.graph
                passes = optimized.report?.passes.map(\.description) ?? []
            case .fpOptimized where calibrationSet != nil:
                break
            case .fpOptimized, .quantized:
                let hint = graph.stage == .quantized ? "compile it: edgeflow compile \(archive) -o MODEL.efx"
                    : "quantize it with --calib-set DIR, or compile it"
                throw EdgeflowError(.invalidArgument, "\(archive) is already at stage \(graph.stage.rawValue)",
                                    hint: hint)
            }
            var quantization: QuantizeSummary?
            if let calibrationSet {
                var options = QuantizerOptions(biasCorrection: biasCorrection)
                options.equalization = QuantizationSettings.defaults.equalization
                var limit = 64, notes: [String] = []
                if let script {
                    (options, limit, notes) = try QuantizerOptions.from(script, graph: graph)
                    options.biasCorrection = options.biasCorrection || biasCorrection
                }
                if let range, let estimator = Self.estimators[range] { options.estimator = estimator }
                limit = calibrationSize ?? limit
                options.targetCosine = targetCosine
                options.promotions = try Self.promotions(promoteTo)
                for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                let request = QuantizeRequest(
                    calibrationSet: CommandSupport.url(calibrationSet), sampleLimit: limit,
                    recipe: try calibrationRecipe(for: graph) ?? script?.preprocessRecipe(), options: options,
                    budget: RunMemory.budget(maxMemory?.bytes), modelScript: script?.source,
                    yuv: ScriptInputLayers.yuv(of: script))
                (graph, quantization) = try QuantizeStage.run(graph, request)
                quantization?.notes = notes
            }
            let target = CommandSupport.url(output)
            let metadata = try ArchiveMetadata(describing: graph, sourceModel: contents.metadata.sourceModel)
            try EdgeflowArchive.write(graph: graph, metadata: metadata, to: target)
            let report = Report(archive: target.path, state: graph.stage.rawValue,
                                nodesBefore: contents.graph.nodes.count, nodesAfter: graph.nodes.count,
                                passes: passes, quantization: quantization)
            if let layers = quantization?.bfloat16Layers, layers > 0, !Compiler.supportsBFloat16 {
                FileHandle.standardError.write(Data(("note: \(layers) layer(s) are in bf16 and this CPU has no "
                    + "bf16 kernels: the archive compiles on CPUs with avx512_bf16 or AMX, not here\n").utf8))
            }
            if json { return try CommandSupport.printJSON(report) }
            print("\(archive) → \(CommandSupport.display(target)): state \(report.state), "
                + "\(report.nodesBefore) → \(report.nodesAfter) nodes")
            for line in passes { print("  " + line) }
            if let quantization { for line in QuantizeStage.describe(quantization) { print(line) } }
        }
    }
}
