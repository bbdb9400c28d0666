// Compiles the ONNX files of a model folder (CLIP towers, OCR detector and recognizer) into
// executables beside them on first use, written atomically, and loads them from there after —
// unless the ONNX file is newer. Used by the photo verbs.

import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFONNX
import EFRuntime
import EdgeflowRuntime
import Foundation

enum FolderModelCompiling {
    /// The executable for `onnx` at `efx`, compiling it first when missing or stale.
    /// - Parameters:
    ///   - inputShape: the shape to fix the model's single image input to (for models with
    ///     dynamic dims); nil keeps the model's own shapes.
    ///   - relabelBatch: when the model fixes its input's and output's dim 0 at 1, treat that dim
    ///     as a batch axis, so `inputShape` may give another batch (`BatchAxisRelabeling`, which
    ///     also rewrites constant Reshape targets); the caller checks the result against the
    ///     batch-1 executable.
    ///   - log: receives one line per model compiled.
    static func executable(onnx: URL, efx: URL, inputShape: [Int]? = nil, relabelBatch: Bool = false,
                           log: (String) -> Void) throws -> EdgeflowModel {
        if isCurrent(efx, comparedWith: onnx) { return try EdgeflowModel(contentsOf: efx) }
        let start = Date()
        let (graph, metadata) = try optimizedGraph(onnx: onnx, inputShape: inputShape, relabelBatch: relabelBatch)
        try writeExecutable(graph, metadata: metadata, to: efx)
        log(String(format: "compiled %@ → %@ (%.1f s)", onnx.path, efx.lastPathComponent,
                   Date().timeIntervalSince(start)))
        return try EdgeflowModel(contentsOf: efx)
    }

    /// Compiles the optimized (fp or quantized) `graph` with fp32 matrix products and writes the
    /// executable to `efx` atomically.
    /// - Throws: the compiler's errors; `EdgeflowError.io` when the file cannot be written.
    static func writeExecutable(_ graph: Graph, metadata: ArchiveMetadata, to efx: URL) throws {
        let compiled = try Compiler.compile(graph, CompileOptions())
        let manifest = try CompileCommand.manifest(for: graph, metadata, stage: graph.stage, embedded: nil,
                                                   precision: MatrixPrecision.float32.rawValue)
        try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants, manifest: manifest, recipe: nil,
                                   to: efx)
    }

    /// `onnx` imported and fp-optimized, with the metadata naming it as the source (so every
    /// executable made from it carries its SHA-256).
    /// - Throws: the importer's and the optimizer's errors.
    static func optimizedGraph(onnx: URL, inputShape: [Int]? = nil,
                               relabelBatch: Bool = false) throws -> (Graph, ArchiveMetadata) {
        // Decoded once: read for the input's name, then imported.
        var model = try OnnxModel(contentsOf: onnx)
        if relabelBatch { BatchAxisRelabeling.relabel(&model.graph, batch: inputShape?.first ?? 1) }
        var options = ImportOptions()
        if let inputShape {
            let initializers = Set(model.graph.initializers.map(\.name))
            let inputs = model.graph.inputs.map(\.name).filter { !initializers.contains($0) }
            guard inputs.count == 1 else {
                throw EdgeflowError(.invalidModel, "\(onnx.path) has \(inputs.count) inputs; one image input expected")
            }
            options.inputShapes = [inputs[0]: inputShape]
        }
        let (graph, _) = try ImportNotes.collect {
            try ONNXImporter.importModel(model, baseDirectory: onnx.deletingLastPathComponent(), options: options)
        }
        let metadata = try ArchiveMetadata(describing: graph, sourceModel: try SourceModel(describing: onnx))
        return (try ModelPipeline.optimize(graph).graph, metadata)
    }

    /// The model folders' root directories: $EDGEFLOW_MODELS, then ~/.cache/edgeflow/models.
    static var modelRoots: [String] {
        let environment = ProcessInfo.processInfo.environment
        return [environment["EDGEFLOW_MODELS"],
                (NSHomeDirectory() as NSString).appendingPathComponent(".cache/edgeflow/models")].compactMap { $0 }
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
