// Reading a `.efa` archive: the format version first (a newer archive is refused with both
// versions named), then metadata, graph and weights, each checked against the others, and
// finally the graph invariants (Verifier).

import EFCore
import EFIR
import Foundation

extension EdgeflowArchive {
    /// Reads the archive at `url`.
    /// - Throws: `EdgeflowError.io` when the file cannot be read; `.invalidArchive` when it is
    ///   damaged, not an Edgeflow archive, from a newer format version, missing a member, or
    ///   inconsistent; `.unsupported` for zip features Edgeflow does not read (compression, zip64)
    ///   or for ops this Edgeflow cannot type.
    public static func read(from url: URL) throws -> EdgeflowArchive {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EdgeflowError(.io, "cannot read \(url.path): no such file",
                                hint: "check the path; archives are written by `edgeflow parse`")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)",
                                hint: "check the path; archives are written by `edgeflow parse`")
        }
        let zip = try ZipReader(data: data, label: url.path)
        let metadata = try readMetadata(zip, path: url.path)
        let document: GraphDocument = try decodeJSON(zip, member: graphMember, path: url.path) { try GraphDocument.decode($0) }
        var graph: Graph
        do {
            graph = try document.graph()
            graph.weights = try readWeights(zip, document: document, path: url.path)
        } catch let error as EdgeflowError {
            throw error.prefixed("\(url.path): \(graphMember)")
        }
        try checkAgreement(metadata, graph, path: url.path)
        do {
            try Verifier.verify(graph)
        } catch let error as EdgeflowError where error.kind != .unsupported {
            throw EdgeflowError(.invalidArchive, "\(url.path): the graph is inconsistent: \(error.message)",
                                hint: "the archive was damaged or edited by hand; parse the model again")
        } catch let error as EdgeflowError {
            throw error.prefixed(url.path)
        }
        return EdgeflowArchive(graph: graph, metadata: metadata)
    }

    private static func readMetadata(_ zip: ZipReader, path: String) throws -> ArchiveMetadata {
        let identity: ArchiveIdentity = try decodeJSON(zip, member: metadataMember, path: path) {
            try JSONDecoder().decode(ArchiveIdentity.self, from: $0)
        }
        guard identity.format == ArchiveMetadata.formatName else {
            throw EdgeflowError(.invalidArchive,
                "\(path) is not an Edgeflow archive (\(metadataMember) gives format '\(identity.format ?? "none")', expected '\(ArchiveMetadata.formatName)')")
        }
        guard let version = identity.formatVersion, version >= 1 else {
            throw EdgeflowError(.invalidArchive, "\(path): \(metadataMember) has no valid formatVersion")
        }
        guard version <= ArchiveMetadata.currentFormatVersion else {
            let writer = identity.edgeflowVersion.map { " by Edgeflow \($0)" } ?? ""
            throw EdgeflowError(.invalidArchive,
                "\(path) uses archive format version \(version) (written\(writer)), but this Edgeflow (\(EdgeflowVersion.current)) reads format versions up to \(ArchiveMetadata.currentFormatVersion)",
                hint: "upgrade Edgeflow to read this archive")
        }
        return try decodeJSON(zip, member: metadataMember, path: path) { try JSONDecoder().decode(ArchiveMetadata.self, from: $0) }
    }

    private static func readWeights(_ zip: ZipReader, document: GraphDocument, path: String) throws -> [String: Tensor] {
        let label = "\(weightsMember) in \(path)"
        let npz = try ZipReader(data: try zip.contents(ofMemberNamed: weightsMember), label: label)
        var weights: [String: Tensor] = [:]
        var expectedMembers = Set<String>()
        for weight in document.weights {
            let member = weight.npzKey + ".npy"
            guard NPZ.key(forMemberName: member) == weight.name else {
                throw EdgeflowError(.invalidArchive, "weight '\(weight.name)' has npz key '\(weight.npzKey)', which is not its escaped name")
            }
            guard let type = document.values[weight.name] else {
                throw EdgeflowError(.invalidArchive, "weight '\(weight.name)' has no entry in values")
            }
            expectedMembers.insert(member)
            var tensor = try NPZ.decodeMember(npz.contents(ofMemberNamed: member), name: member, label: label)
            if type.dtype == .bfloat16 && tensor.dtype == .uint16 {
                tensor = tensor.withUnsafeBytes { Tensor(dtype: .bfloat16, shape: tensor.shape, bytes: $0) }
            }
            guard tensor.dtype == type.dtype, tensor.shape == type.shape else {
                throw EdgeflowError(.invalidArchive,
                    "weight '\(weight.name)' in \(weightsMember) is \(tensor.dtype.rawValue)\(tensor.shape.shapeDescription) but graph.json types it \(type)")
            }
            weights[weight.name] = tensor
        }
        if let stray = npz.entries.first(where: { !expectedMembers.contains($0.name) }) {
            throw EdgeflowError(.invalidArchive, "\(weightsMember) holds '\(stray.name)', which graph.json does not list as a weight")
        }
        return weights
    }

    private static func checkAgreement(_ metadata: ArchiveMetadata, _ graph: Graph, path: String) throws {
        let described = try ArchiveMetadata(describing: graph, sourceModel: nil)
        guard metadata.inputs == described.inputs, metadata.outputs == described.outputs,
              metadata.state == graph.stage else {
            throw EdgeflowError(.invalidArchive,
                "\(path): \(metadataMember) and \(graphMember) disagree about the graph's state, inputs or outputs",
                hint: "the archive was damaged or edited by hand; parse the model again")
        }
    }

    private static func decodeJSON<T>(_ zip: ZipReader, member: String, path: String,
                                      _ decode: (Data) throws -> T) throws -> T {
        let data = try zip.contents(ofMemberNamed: member)
        do {
            return try decode(data)
        } catch let error as EdgeflowError {
            throw error.prefixed("\(path): \(member)")
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
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): return at(context)
        @unknown default: return "\(error)"
        }
    }
}
