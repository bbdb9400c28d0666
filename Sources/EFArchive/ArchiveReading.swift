// Reading a `.efa` archive, from a file or from bytes: the format version first (a newer
// archive is refused with both versions named), then metadata, graph and weights, each checked
// against the others, the graph invariants (Verifier), and last the metadata's agreement with
// the verified graph. Every failure caused by the archive's bytes is `.invalidArchive`.

import EFCore
import EFIR
import Foundation

extension EdgeflowArchive {
    /// The largest `graph.json` or `metadata.json` member read (decoding JSON takes several
    /// times its size in memory; the graphs Edgeflow writes are a few MiB at most).
    public static let maxJSONMemberBytes = 64 << 20

    /// Reads the archive at `url` (memory-mapped; only regular files).
    /// - Throws: `EdgeflowError.io` when the file cannot be read or is not a regular file;
    ///   otherwise as `read(data:label:)`.
    public static func read(from url: URL) throws -> EdgeflowArchive {
        let hint = "check the path; archives are written by `edgeflow parse`"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw EdgeflowError(.io, "cannot read \(url.path): no such file", hint: hint)
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw EdgeflowError(.io, "cannot read \(url.path): not a regular file", hint: hint)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)", hint: hint)
        }
        return try read(data: data, label: url.path)
    }

    /// Reads an archive held in memory: the whole `.efa` file's bytes.
    /// - Parameter label: names the archive in messages (usually its path).
    /// - Returns: the verified graph with its weights, and the metadata.
    /// - Throws: `EdgeflowError.invalidArchive` when it is damaged, not an Edgeflow archive,
    ///   from a newer format version, missing a member, inconsistent, or uses zip features
    ///   Edgeflow never writes (compression, encryption, zip64); `.unsupported` only for ops
    ///   this Edgeflow cannot type. Never traps and allocates at most about the size of `data`
    ///   for weights (plus the JSON members, each at most `maxJSONMemberBytes`).
    public static func read(data: Data, label: String) throws -> EdgeflowArchive {
        let zip = try zipStep(label) { try ZipReader(data: data, label: label) }
        let metadata = try readMetadata(zip, path: label)
        let document = try decodeJSON(zip, member: graphMember, path: label) { try GraphDocument.decode($0) }
        var graph: Graph
        do {
            graph = try document.graph()
            graph.weights = try readWeights(zip, document: document, path: label)
        } catch let error as EdgeflowError {
            throw error.prefixed("\(label): \(graphMember)")
        }
        do {
            try Verifier.verify(graph)
        } catch let error as EdgeflowError where error.kind != .unsupported {
            throw EdgeflowError(.invalidArchive, "\(label): the graph is inconsistent: \(error.message)",
                                hint: "the archive was damaged or edited by hand; parse the model again")
        } catch let error as EdgeflowError {
            throw error.prefixed(label)
        }
        try checkAgreement(metadata, graph, path: label)
        return EdgeflowArchive(graph: graph, metadata: metadata)
    }

    /// The graph in `graph.json` bytes, without weights (they live in weights.npz) and not yet
    /// verified (its weights are missing); every declared shape is checked.
    /// - Throws: `EdgeflowError.invalidArchive` (prefixed with `label`) for malformed JSON,
    ///   unknown ops, negative or overflowing shapes, values over `GraphDocument.maxValueBytes`,
    ///   or layers that contradict `values`.
    public static func decodeGraph(json: Data, label: String) throws -> Graph {
        let document = try decodeJSON(json, member: graphMember, path: label) { try GraphDocument.decode($0) }
        do { return try document.graph() } catch let error as EdgeflowError {
            throw error.prefixed("\(label): \(graphMember)")
        }
    }

    private static func readMetadata(_ zip: ZipReader, path: String) throws -> ArchiveMetadata {
        let identity: ArchiveIdentity = try decodeJSON(zip, member: metadataMember, path: path) {
            try JSONDecoder().decode(ArchiveIdentity.self, from: $0)
        }
        guard identity.format == ArchiveMetadata.formatName else {
            throw EdgeflowError(.invalidArchive,
                "\(path) is not an Edgeflow archive (\(metadataMember) gives format "
                    + "'\(identity.format ?? "none")', expected '\(ArchiveMetadata.formatName)')")
        }
        guard let version = identity.formatVersion, version >= 1 else {
            throw EdgeflowError(.invalidArchive, "\(path): \(metadataMember) has no valid formatVersion")
        }
        guard version <= ArchiveMetadata.currentFormatVersion else {
            let writer = identity.edgeflowVersion.map { " by Edgeflow \($0)" } ?? ""
            throw EdgeflowError(.invalidArchive,
                "\(path) uses archive format version \(version) (written\(writer)), but this Edgeflow "
                    + "(\(EdgeflowVersion.current)) reads format versions up to "
                        + "\(ArchiveMetadata.currentFormatVersion)",
                hint: "upgrade Edgeflow to read this archive")
        }
        return try decodeJSON(zip, member: metadataMember, path: path) {
            try JSONDecoder().decode(ArchiveMetadata.self, from: $0)
        }
    }

    private static func readWeights(_ zip: ZipReader, document: GraphDocument,
                                    path: String) throws -> [String: Tensor] {
        let label = "\(weightsMember) in \(path)"
        let npz = try zipStep(path) {
            try ZipReader(data: try zip.contents(ofMemberNamed: weightsMember), label: label)
        }
        var weights: [String: Tensor] = [:]
        var expectedMembers = Set<String>()
        for weight in document.weights {
            let member = weight.npzKey + ".npy"
            guard NPZ.key(forMemberName: member) == weight.name else {
                throw EdgeflowError(.invalidArchive, "weight '\(weight.name)' has npz key '\(weight.npzKey)', "
                    + "which is not its escaped name")
            }
            guard let type = document.values[weight.name] else {
                throw EdgeflowError(.invalidArchive, "weight '\(weight.name)' has no entry in values")
            }
            guard expectedMembers.insert(member).inserted else {
                throw EdgeflowError(.invalidArchive, "weight '\(weight.name)' is listed twice")
            }
            let bytes = try zipStep(path) { try npz.contents(ofMemberNamed: member) }
            // The declared type first: a mismatch is reported before any data is copied.
            let header = try NPZ.decodeMember(name: member, label: label) { try NPY.readHeader(bytes) }
            let stored = StoredWeights.storedForm(of: type.dtype, shape: type.shape)
            guard let stored, header.dtype == stored.dtype, header.shape == stored.shape else {
                let declared = (header.dtype?.rawValue ?? "'\(header.descr)'") + header.shape.shapeDescription
                throw EdgeflowError(.invalidArchive,
                    "weight '\(weight.name)' in \(weightsMember) is \(declared) but graph.json types it \(type)")
            }
            let tensor = try NPZ.decodeMember(name: member, label: label) { try NPY.decode(bytes) }
            weights[weight.name] = try StoredWeights.decoded(tensor, as: type.dtype, shape: type.shape,
                                                             "weight '\(weight.name)' in \(weightsMember)")
        }
        if let stray = npz.entries.first(where: { !expectedMembers.contains($0.name) }) {
            throw EdgeflowError(.invalidArchive, "\(weightsMember) holds '\(stray.name)', which graph.json does "
                + "not list as a weight")
        }
        return weights
    }

    private static func checkAgreement(_ metadata: ArchiveMetadata, _ graph: Graph, path: String) throws {
        let described: ArchiveMetadata
        do { described = try ArchiveMetadata(describing: graph, sourceModel: nil) } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidArchive, "\(path): \(graphMember): \(error.message)")
        }
        guard metadata.inputs == described.inputs, metadata.outputs == described.outputs,
              metadata.state == graph.stage else {
            throw EdgeflowError(.invalidArchive,
                "\(path): \(metadataMember) and \(graphMember) disagree about the graph's state, inputs or outputs",
                hint: "the archive was damaged or edited by hand; parse the model again")
        }
    }

    /// Runs a zip step of reading an archive: zip features Edgeflow never writes (compression,
    /// encryption, zip64, split archives) make the file an invalid archive, not an unsupported one.
    private static func zipStep<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as EdgeflowError where error.kind == .unsupported {
            throw EdgeflowError(.invalidArchive, "\(error.message) (Edgeflow archives hold only stored members)",
                                hint: "the archive was not written by `edgeflow parse`; parse the model again")
        }
    }

    private static func decodeJSON<T>(_ zip: ZipReader, member: String, path: String,
                                      _ decode: (Data) throws -> T) throws -> T {
        let data = try zipStep(path) { try zip.contents(ofMemberNamed: member) }
        return try decodeJSON(data, member: member, path: path, decode)
    }

    private static func decodeJSON<T>(_ data: Data, member: String, path: String,
                                      _ decode: (Data) throws -> T) throws -> T {
        guard data.count <= maxJSONMemberBytes else {
            throw EdgeflowError(.invalidArchive,
                "\(path): \(member) is \(MemoryBudget.format(data.count)), "
                    + "over the \(MemoryBudget.format(maxJSONMemberBytes)) limit")
        }
        do {
            return try decode(data)
        } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidArchive, "\(path): \(member): \(error.message)", hint: error.hint)
        } catch let error as DecodingError {
            throw EdgeflowError(.invalidArchive, "\(path): \(member) is malformed: \(describe(error))",
                                hint: "the archive was damaged or edited by hand; parse the model again")
        } catch {
            throw EdgeflowError(.invalidArchive, "\(path): \(member) is malformed: \(error.localizedDescription)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return (path.isEmpty ? "" : "at \(path): ") + context.debugDescription
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context)) missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return at(context)
        case .dataCorrupted(let context):
            let cause = (context.underlyingError as? CustomStringConvertible)
                .map { " (\(String(describing: $0).prefix(200)))" }
            return at(context) + (cause ?? "")
        @unknown default: return "\(error)"
        }
    }
}
