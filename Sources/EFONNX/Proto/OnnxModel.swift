// Plain Swift structs for the parts of onnx.proto Edgeflow reads. `WireReader` and
// `ProtoDecoding` fill them from protobuf bytes; nothing here knows the wire format.

import Foundation

/// ModelProto.
public struct OnnxModel: Sendable {
    public var irVersion: Int = 0
    /// Opset version per domain; "" is the default ai.onnx domain.
    public var opsetImports: [String: Int] = [:]
    public var producerName: String = ""
    public var producerVersion: String = ""
    public var graph = OnnxGraph()
    /// `metadata_props` (e.g. PP-OCR stores its character dictionary under `character`).
    public var metadata: [String: String] = [:]

    /// The ai.onnx opset (domain "" or "ai.onnx").
    public var defaultOpset: Int { opsetImports[""] ?? opsetImports["ai.onnx"] ?? 1 }

    public init() {}
}

/// GraphProto.
public struct OnnxGraph: Sendable {
    public var name: String = ""
    public var nodes: [OnnxNode] = []
    public var initializers: [OnnxTensor] = []
    public var inputs: [OnnxValueInfo] = []
    public var outputs: [OnnxValueInfo] = []
    public var valueInfo: [OnnxValueInfo] = []
    /// Names of `sparse_initializer` entries (Edgeflow does not read sparse tensors).
    public var sparseInitializerNames: [String] = []
    public init() {}
}

/// NodeProto.
public struct OnnxNode: Sendable {
    public var name: String = ""
    public var opType: String = ""
    public var domain: String = ""
    public var inputs: [String] = []
    public var outputs: [String] = []
    public var attributes: [String: OnnxAttribute] = [:]
    public init() {}

    /// Name for messages: the node name, or its first output when unnamed.
    public var displayName: String { name.isEmpty ? (outputs.first ?? "<unnamed>") : name }
}

/// AttributeProto, by the type it carries.
public enum OnnxAttribute: Sendable {
    case float(Float)
    case int(Int)
    case string(Data)
    case tensor(OnnxTensor)
    case graph(OnnxGraph)
    case floats([Float])
    case ints([Int])
    case strings([Data])
    case tensors([OnnxTensor])
    case graphs([OnnxGraph])
    /// A sparse tensor, type proto or other kind Edgeflow does not read.
    case unsupported(typeCode: Int)
}

/// TensorProto, still in wire form: data is decoded by `OnnxTensor.toTensor`.
public struct OnnxTensor: Sendable {
    public var name: String = ""
    public var dims: [Int] = []
    /// TensorProto.DataType code (1 = FLOAT, 7 = INT64, ...).
    public var dataType: Int = 0
    public var rawData: Data? = nil
    public var floatData: [Float] = []
    public var int32Data: [Int32] = []
    public var int64Data: [Int64] = []
    public var doubleData: [Double] = []
    public var uint64Data: [UInt64] = []
    public var stringData: [Data] = []
    /// `external_data` key/value pairs (location, offset, length, checksum).
    public var externalData: [String: String] = [:]
    /// `data_location`: 0 = DEFAULT, 1 = EXTERNAL.
    public var dataLocation: Int = 0
    public init() {}
}

/// One dimension of a declared tensor shape.
public enum OnnxDim: Sendable, Equatable {
    case value(Int)
    case param(String)
    case unknown
}

/// The kind of value a TypeProto describes.
public enum OnnxValueKind: String, Sendable {
    case tensor, sequence, map, optional
    case sparseTensor = "sparse tensor"
    /// No type given (allowed for intermediate values).
    case undeclared
}

/// ValueInfoProto (element type and shape for tensor types; other types only by kind).
public struct OnnxValueInfo: Sendable {
    public var name: String = ""
    /// TensorProto.DataType code of the element type, 0 when unknown.
    public var elemType: Int = 0
    /// nil when the shape is not declared at all.
    public var dims: [OnnxDim]? = nil
    public var kind: OnnxValueKind = .tensor
    /// False for sequence, map, optional and sparse types.
    public var isTensor: Bool { kind == .tensor || kind == .undeclared }
    public init() {}
}
