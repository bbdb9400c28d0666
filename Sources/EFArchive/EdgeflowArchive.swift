// The `.efa` archive, Edgeflow's analogue of a Hailo HAR: one zip that standard tools open.
//
// Members (all stored uncompressed):
// - `metadata.json`: format "edgeflow-archive", formatVersion, state, Edgeflow version, source
//   model (file name, SHA-256), creation time, inputs and outputs with dtype, shape and bytes.
// - `graph.json`: the graph (see GraphDocument).
// - `weights.npz`: one .npy per weight, readable by numpy.load (see NPZ for key escaping;
//   graph.json lists each weight's npz key). bfloat16 weights are stored as uint16 bit
//   patterns, since numpy has no bfloat16; graph.json's `values` gives their real dtype.

import EFCore
import EFIR
import Foundation

/// A graph with its archive metadata, as read from or written to a `.efa` file.
public struct EdgeflowArchive: Sendable {
    public var graph: Graph
    public var metadata: ArchiveMetadata

    static let metadataMember = "metadata.json"
    static let graphMember = "graph.json"
    static let weightsMember = "weights.npz"

    public init(graph: Graph, metadata: ArchiveMetadata) {
        self.graph = graph
        self.metadata = metadata
    }

    /// Writes `graph` as an archive at `url`, atomically: a temporary file in the same
    /// directory is renamed into place, and removed if anything fails.
    ///
    /// The metadata's `state`, `inputs` and `outputs` are taken from the graph.
    /// - Throws: `EdgeflowError.internalError` when the graph fails `Verifier.verify`,
    ///   `.unsupported` beyond the 4 GiB zip limit, `.io` when the file cannot be written.
    public static func write(graph: Graph, metadata: ArchiveMetadata, to url: URL) throws {
        do {
            try Verifier.verify(graph)
        } catch let error as EdgeflowError {
            throw error.prefixed("cannot write \(url.path): the graph is inconsistent")
        }
        var metadata = metadata
        let described = try ArchiveMetadata(describing: graph, sourceModel: nil)
        metadata.state = described.state
        metadata.inputs = described.inputs
        metadata.outputs = described.outputs
        let metadataJSON: Data
        let graphJSON: Data
        do {
            metadataJSON = try ReadableJSON.encode(metadata)
            graphJSON = try GraphDocument(graph).encoded()
        } catch let error as EdgeflowError {
            throw error.prefixed("cannot write \(url.path)")
        } catch {
            throw EdgeflowError(.internalError, "cannot encode the archive's JSON: \(error)")
        }
        let weights = graph.weights.sorted { $0.key < $1.key }.map {
            (key: $0.key, tensor: StoredWeights.encoded($0.value))
        }
        try AtomicFile.write(to: url) { sink in
            let zip = ZipWriter(sink: sink, label: url.path)
            try zip.addMember(named: metadataMember, data: metadataJSON)
            try zip.addMember(named: graphMember, data: graphJSON)
            try zip.addStreamedMember(named: weightsMember) { npzSink in
                let npz = ZipWriter(sink: npzSink, label: "\(weightsMember) in \(url.path)")
                try NPZ.write(weights, to: npz)
                try npz.finish()
            }
            try zip.finish()
        }
    }
}
