// Loads a CLIP model folder (Immich's layout) for the photo verbs: each tower's ONNX file is
// parsed, optimized and compiled into an executable beside it on first use (model.efx, written
// atomically), and loaded from there afterwards — unless the ONNX file is newer.

import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFONNX
import EFRuntime
import EFSearch
import EdgeflowRuntime
import Foundation

enum CLIPFolderLoading {
    /// The folder's model with both towers compiled and loaded.
    /// - Parameter log: receives one line per tower compiled.
    static func load(_ path: String, log: (String) -> Void) throws -> CLIPModel {
        let folder = try CLIPFolder(url: CommandSupport.url(path))
        let visual = try executable(onnx: folder.visualONNX, efx: folder.visualExecutable, log: log)
        let textual = folder.hasTextual
            ? try executable(onnx: folder.textualONNX, efx: folder.textualExecutable, log: log) : nil
        return try CLIPModel(folder: folder, visual: visual, textual: textual)
    }

    /// The default model folder: $EDGEFLOW_MODELS/ViT-B-32__openai, else
    /// ~/.cache/edgeflow/models/ViT-B-32__openai, when it exists.
    static func defaultFolder() -> String? {
        modelRoots().map { ($0 as NSString).appendingPathComponent("ViT-B-32__openai") }
            .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("config.json")) }
    }

    /// Where `models pull` puts models and `models list` looks: $EDGEFLOW_MODELS, else ~/.cache/edgeflow/models.
    static func modelsDirectory() -> String {
        modelRoots()[0]
    }

    /// The folders searched for the default model, in order.
    private static func modelRoots() -> [String] {
        [ProcessInfo.processInfo.environment["EDGEFLOW_MODELS"],
         (NSHomeDirectory() as NSString).appendingPathComponent(".cache/edgeflow/models")].compactMap { $0 }
    }

    private static func executable(onnx: URL, efx: URL, log: (String) -> Void) throws -> EdgeflowModel {
        if isCurrent(efx, comparedWith: onnx) { return try EdgeflowModel(contentsOf: efx) }
        let start = Date()
        let (graph, _) = try ImportNotes.collect { try ONNXImporter.importModel(at: onnx) }
        let metadata = try ArchiveMetadata(describing: graph, sourceModel: try SourceModel(describing: onnx))
        let optimized = try ModelPipeline.optimize(graph)
        let compiled = try Compiler.compile(optimized.graph, CompileOptions())
        let manifest = try CompileCommand.manifest(for: optimized.graph, metadata, stage: graph.stage, embedded: nil,
                                                   precision: MatrixPrecision.float32.rawValue)
        try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants, manifest: manifest, recipe: nil,
                                   to: efx)
        log(String(format: "compiled %@ → %@ (%.1f s)", onnx.path, efx.lastPathComponent,
                   Date().timeIntervalSince(start)))
        return try EdgeflowModel(contentsOf: efx)
    }

    /// True when `efx` exists and is at least as new as `onnx` (or `onnx` is absent).
    static func isCurrent(_ efx: URL, comparedWith onnx: URL) -> Bool {
        let manager = FileManager.default
        guard let compiled = (try? manager.attributesOfItem(atPath: efx.path))?[.modificationDate] as? Date else {
            return false
        }
        guard let source = (try? manager.attributesOfItem(atPath: onnx.path))?[.modificationDate] as? Date else {
            return true
        }
        return compiled >= source
    }
}
