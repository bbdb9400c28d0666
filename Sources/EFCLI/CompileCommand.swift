// `edgeflow compile`: archive (.efa) → executable (.efx). A native archive goes through the
// fp-optimized stage first; the compiler plans memory and chooses kernels; the executable
// holds the program as data, the weights, the input/output contract, the CPU features it
// needs, provenance and, when asked, the preprocessing recipe of its image input.

import ArgumentParser
import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFRuntime
import EdgeflowRuntime
import Foundation

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile an Edgeflow archive (.efa) into an executable (.efx) for the runtime.",
        discussion: """
            The executable is what `edgeflow run`, `benchmark`, `profile` and the EdgeflowRuntime \
            library load: one file with the compiled program, the weights (64-byte aligned, \
            memory-mapped at load), the input/output contract and where it came from \
            (docs/efx-format.md). A native archive (straight from `edgeflow parse`) is \
            fp-optimized first; an archive already at that stage is compiled as it is.

            --recipe embeds the preprocessing of a one-image-input model (the recipes of \
            `edgeflow preprocess`), so `edgeflow run MODEL.efx --image photo.jpg` works. With \
            --recipe-inside the normalization becomes part of the model as well (Hailo style): \
            the executable's input is the resized image as uint8 [1, H, W, 3] and only decoding \
            and resizing happen outside.

            Examples:
              edgeflow compile resnet50.efa -o resnet50.efx
              edgeflow compile clip-vision.efa -o clip.efx --recipe clip --size 224
              edgeflow compile clip-vision.efa -o clip-u8.efx --recipe clip --recipe-inside
            """)

    @Argument(help: "The archive to compile.")
    var archive: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The executable to write.",
                                                                                  valueName: "model.efx"))
    var output: String

    @Option(help: ArgumentHelp("Arithmetic of conv/matmul: float32 or bfloat16 (needs AVX-512 bf16 or AMX on the "
                               + "machine that runs it).", valueName: "precision"))
    var precision: String = MatrixPrecision.float32.rawValue

    @OptionGroup var recipe: RecipeOptions

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        guard MatrixPrecision(rawValue: precision) != nil else {
            throw ValidationError("--precision must be one of "
                + MatrixPrecision.allCases.map(\.rawValue).joined(separator: ", "))
        }
        try recipe.validate()
    }

    func run() throws {
        try CommandSupport.run {
            let source = CommandSupport.url(archive)
            try ModelFileKinds.require(source, is: .efa, for: "compile")
            let start = Date()
            let contents = try EdgeflowArchive.read(from: source)
            var graph = contents.graph
            let embedded = try recipe.embedded(for: graph)
            if let embedded, embedded.normalizationInside { graph = try recipe.foldNormalization(into: graph) }
            let stage = graph.stage
            let optimized = try ModelPipeline.optimize(graph)
            let options = CompileOptions(precision: MatrixPrecision(rawValue: precision) ?? .float32)
            let compiled = try Compiler.compile(optimized.graph, options)
            let manifest = try Self.manifest(for: optimized.graph, contents.metadata, stage: stage, embedded: embedded,
                                             precision: precision)
            let target = CommandSupport.url(output)
            try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants, manifest: manifest,
                                       recipe: embedded, to: target)
            let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
            let report = CompileSummary(executable: target.path, stage: stage.rawValue, report: compiled.report,
                                        fileBytes: size, seconds: Date().timeIntervalSince(start),
                                        requiredCPUFeatures: manifest.requiredCPUFeatures, recipe: embedded)
            if json { try CommandSupport.printJSON(report) } else { report.printText(archive: archive) }
        }
    }

    /// The executable's manifest: inputs/outputs of `graph`, provenance from `metadata`.
    static func manifest(for graph: Graph, _ metadata: ArchiveMetadata, stage: GraphStage, embedded: EmbeddedRecipe?,
                         precision: String) throws -> ExecutableManifest {
        func descriptor(_ name: String, isInput: Bool) throws -> TensorDescriptor {
            let type = try graph.type(of: name)
            let recipeLayout = embedded?.tensorLayout.hasPrefix("nhwc") == true ? "nhwc" : "nchw"
            let layout = isInput && embedded != nil ? recipeLayout : "any"
            return TensorDescriptor(name: name, dtype: type.dtype, shape: type.shape, layout: layout)
        }
        var options = ["precision": precision]
        if let embedded {
            options["recipe"] = embedded.name
            if let size = embedded.size { options["size"] = String(size) }
            if embedded.normalizationInside { options["recipeInside"] = "true" }
        }
        let provenance = Provenance(sourceModel: metadata.sourceModel?.fileName,
                                    sourceModelSHA256: metadata.sourceModel?.sha256, archiveStage: stage.rawValue,
                                    compileOptions: options, created: ISO8601DateFormatter().string(from: Date()))
        // The whole program in bf16, or layers a model script put in bf16.
        let bf16 = MatrixPrecision(rawValue: precision) == .bfloat16 || graph.nodes.contains(where: \.bfloat16Products)
        return ExecutableManifest(modelName: graph.name,
                                  inputs: try graph.inputs.map { try descriptor($0, isInput: true) },
                                  outputs: try graph.outputs.map { try descriptor($0, isInput: false) },
                                  requiredCPUFeatures: bf16 ? ["avx512_bf16"] : [], provenance: provenance,
                                  metadata: graph.metadata.isEmpty ? nil : graph.metadata)
    }
}

/// What `compile` reports.
struct CompileSummary: Encodable {
    var executable: String
    var stage: String
    var steps: Int
    var kernels: [String: Int]
    var fallbacks: [StepFallback]
    var arenaBytes: Int
    var fileBytes: Int
    var seconds: Double
    var requiredCPUFeatures: [String]
    var recipe: EmbeddedRecipe?

    init(executable: String, stage: String, report: CompileReport, fileBytes: Int, seconds: Double,
         requiredCPUFeatures: [String], recipe: EmbeddedRecipe?) {
        self.executable = executable
        self.stage = stage
        steps = report.stepCount
        kernels = report.kernelCounts
        fallbacks = report.fallbacks
        arenaBytes = report.arenaByteCount
        self.fileBytes = fileBytes
        self.seconds = seconds
        self.requiredCPUFeatures = requiredCPUFeatures
        self.recipe = recipe
    }

    func printText(archive: String) {
        let stages = stage == GraphStage.native.rawValue ? "native → fp-optimized → compiled"
            : "\(stage) → compiled"
        print("\(archive) → \(CommandSupport.display(URL(fileURLWithPath: executable))) "
            + "(\(CommandSupport.bytes(fileBytes))), \(stages)")
        print("  \(steps) steps; kernels: " + kernels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            .joined(separator: ", ") + "; arena \(CommandSupport.bytes(arenaBytes))")
        for fallback in fallbacks {
            print("  reference kernel for \(fallback.node) (\(fallback.op)): \(fallback.reason)")
        }
        if let recipe {
            print("  embedded recipe: \(recipe.name)" + (recipe.size.map { " \($0)" } ?? "") + ", input "
                + recipe.tensorLayout + (recipe.normalizationInside ? " (normalization inside the model)" : ""))
        }
        if !requiredCPUFeatures.isEmpty {
            print("  needs CPU features: " + requiredCPUFeatures.joined(separator: ", "))
        }
        print(String(format: "  compiled in %.2f s", seconds))
    }
}
