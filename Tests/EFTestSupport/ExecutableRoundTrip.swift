// The deploy path as a test sees it: optimize and compile a graph, write it as an .efx, load
// it with the deploy-only runtime (EdgeflowModel) and run it — so a test of the fast path also
// proves the executable format loses nothing.

import EFCompiler
import EFCore
import EFIR
import EdgeflowRuntime
import Foundation

public enum ExecutableRoundTrip {
    /// Compiles `graph` (fp-optimizing it first when it is native), writes the executable to a
    /// temporary file, loads it and returns the loaded model (the file is already deleted: the
    /// mapping keeps the bytes).
    /// `metadata` goes into the manifest (as ONNX `metadata_props` would).
    public static func load(_ graph: Graph, _ options: CompileOptions = CompileOptions(),
                            metadata: [String: String]? = nil) throws -> EdgeflowModel {
        let compiled = try ModelPipeline.compile(graph, options)
        let directory = try TestData.temporaryDirectory("efx-roundtrip")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.efx")
        var manifest = try manifest(for: graph)
        manifest.metadata = metadata
        try ExecutableWriter.write(plan: compiled.plan, constants: compiled.constants,
                                   manifest: manifest, recipe: nil, to: url)
        return try EdgeflowModel(contentsOf: url)
    }

    /// Compiles, writes, loads and runs `graph` on `inputs`.
    public static func run(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try load(graph).run(inputs)
    }

    /// A manifest describing `graph`'s inputs and outputs.
    public static func manifest(for graph: Graph) throws -> ExecutableManifest {
        func describe(_ name: String) throws -> TensorDescriptor {
            let type = try graph.type(of: name)
            return TensorDescriptor(name: name, dtype: type.dtype, shape: type.shape)
        }
        return ExecutableManifest(modelName: graph.name, inputs: try graph.inputs.map(describe),
                                  outputs: try graph.outputs.map(describe), requiredCPUFeatures: [],
                                  provenance: Provenance(sourceModel: nil, sourceModelSHA256: nil,
                                                         archiveStage: graph.stage.rawValue, compileOptions: [:],
                                                         created: "2026-01-01T00:00:00Z"))
    }
}
