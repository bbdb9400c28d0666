// The archive's `metadata.json`: what the archive is (format, version, state), where it came
// from (source model and its SHA-256, Edgeflow version, time), and its input/output contract.

import EFCore
import EFIR
import Foundation

/// A graph input or output as the archive's metadata lists it.
public struct ValueDescription: Codable, Equatable, Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Bytes of one tensor of this type: what a caller must supply for an input (`Int.max`
    /// for a shape whose size overflows, which a verified graph never has).
    public var byteCount: Int

    public init(name: String, type: TensorType) {
        self.name = name
        dtype = type.dtype
        shape = type.shape
        let bytes = type.shape.checkedElementCount?.multipliedReportingOverflow(by: type.dtype.byteSize)
        byteCount = bytes.map { $0.overflow ? Int.max : $0.partialValue } ?? Int.max
    }

    public var type: TensorType { TensorType(dtype, shape) }
}

/// The model file an archive was made from.
public struct SourceModel: Codable, Equatable, Sendable {
    /// The file name (without directories).
    public var fileName: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public var sha256: String

    public init(fileName: String, sha256: String) {
        self.fileName = fileName
        self.sha256 = sha256
    }

    /// Describes the file at `url`, hashing it.
    /// - Throws: `EdgeflowError.io` when it cannot be read.
    public init(describing url: URL) throws {
        self.init(fileName: url.lastPathComponent, sha256: try SHA256.hex(ofFileAt: url))
    }
}

/// The contents of `metadata.json`.
public struct ArchiveMetadata: Codable, Equatable, Sendable {
    /// The value of `format` in every Edgeflow archive.
    public static let formatName = "edgeflow-archive"
    /// The newest archive format version this Edgeflow reads and the one it writes.
    public static let currentFormatVersion = 1

    public var format: String
    public var formatVersion: Int
    /// The graph's stage ("native" for a freshly parsed model).
    public var state: GraphStage
    /// The Edgeflow release that wrote the archive.
    public var edgeflowVersion: String
    /// The model the archive was made from, when there was one.
    public var sourceModel: SourceModel?
    /// When the archive was written, ISO 8601 in UTC (e.g. `2025-01-31T12:00:00Z`).
    public var created: String
    public var inputs: [ValueDescription]
    public var outputs: [ValueDescription]

    /// Metadata for `graph`, stamped with the current format, Edgeflow version and time.
    /// - Throws: `EdgeflowError.invalidModel` when a graph input or output has no type.
    public init(describing graph: Graph, sourceModel: SourceModel?, created: Date = Date()) throws {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        state = graph.stage
        edgeflowVersion = EdgeflowVersion.current
        self.sourceModel = sourceModel
        self.created = ISO8601DateFormatter().string(from: created)
        inputs = try graph.inputs.map { ValueDescription(name: $0, type: try graph.type(of: $0)) }
        outputs = try graph.outputs.map { ValueDescription(name: $0, type: try graph.type(of: $0)) }
    }
}

/// The fields of `metadata.json` that every format version keeps, read before anything else
/// so that a newer archive is refused with a clear message rather than a decoding error.
struct ArchiveIdentity: Decodable {
    var format: String?
    var formatVersion: Int?
    var edgeflowVersion: String?
}
