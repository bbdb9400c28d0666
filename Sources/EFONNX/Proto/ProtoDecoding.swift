// Decoders for ModelProto, OperatorSetIdProto, StringStringEntryProto and GraphProto, and the
// public entry points that decode a model or a tensor from bytes. Field numbers are those of
// onnx.proto; unknown fields are skipped, known fields with a wrong wire type are errors.

import EFCore
import Foundation

extension OnnxModel {
    /// Decodes a serialized ONNX `ModelProto`.
    /// - Throws: `EdgeflowError.invalidModel` naming the byte offset and field path when the
    ///   bytes are empty, truncated or corrupt.
    public init(decoding data: Data) throws {
        guard !data.isEmpty else {
            throw EdgeflowError(.invalidModel, "the file is empty, not an ONNX model")
        }
        self = try ProtoDecoding.decode(data, as: "ModelProto", ProtoDecoding.model)
    }

    /// Reads and decodes an `.onnx` file.
    /// - Throws: `EdgeflowError.io` when the file cannot be read; decoding errors prefixed with the path.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        do { try self.init(decoding: data) } catch let error as EdgeflowError { throw error.prefixed(url.path) }
    }
}

extension OnnxTensor {
    /// Decodes a serialized `TensorProto` (e.g. the `input_0.pb` files of the ONNX test suite).
    /// - Throws: `EdgeflowError.invalidModel` with the byte offset for truncated or corrupt bytes.
    public init(decoding data: Data) throws {
        self = try ProtoDecoding.decode(data, as: "TensorProto", ProtoDecoding.tensor)
    }
}

/// The message decoders. Each reads fields until the end of its (nested) reader.
enum ProtoDecoding {
    /// Runs `body` over the bytes of `data`, turning wire errors into `EdgeflowError`s.
    static func decode<T>(_ data: Data, as messageName: String,
                          _ body: (inout WireReader) throws -> T) throws -> T {
        do {
            return try data.withUnsafeBytes { raw in
                var reader = WireReader(raw)
                return try body(&reader)
            }
        } catch let error as WireError {
            throw error.edgeflowError(decoding: messageName)
        }
    }

    /// Checks the wire type of a singular field.
    static func expect(_ actual: WireType, _ expected: WireType, _ field: String, _ reader: WireReader) throws {
        guard actual == expected else { throw reader.wrongType(field, actual) }
    }

    static func model(_ r: inout WireReader) throws -> OnnxModel {
        var model = OnnxModel()
        var opsetCount = 0, metadataCount = 0
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .varint, "ir_version", r)
                model.irVersion = try r.readInt()
            case 2:
                try expect(type, .lengthDelimited, "producer_name", r)
                model.producerName = try r.readString()
            case 3:
                try expect(type, .lengthDelimited, "producer_version", r)
                model.producerVersion = try r.readString()
            case 7:
                try expect(type, .lengthDelimited, "graph", r)
                model.graph = try r.readMessage("graph", graph)
            case 8:
                try expect(type, .lengthDelimited, "opset_import", r)
                let (domain, version) = try r.readMessage("opset_import[\(opsetCount)]", operatorSetId)
                model.opsetImports[domain] = version
                opsetCount += 1
            case 14:
                try expect(type, .lengthDelimited, "metadata_props", r)
                let (key, value) = try r.readMessage("metadata_props[\(metadataCount)]", stringEntry)
                model.metadata[key] = value
                metadataCount += 1
            default:
                try r.skip(type)
            }
        }
        return model
    }

    static func operatorSetId(_ r: inout WireReader) throws -> (String, Int) {
        var domain = "", version = 0
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "domain", r)
                domain = try r.readString()
            case 2:
                try expect(type, .varint, "version", r)
                version = try r.readInt()
            default:
                try r.skip(type)
            }
        }
        return (domain, version)
    }

    static func stringEntry(_ r: inout WireReader) throws -> (String, String) {
        var key = "", value = ""
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "key", r)
                key = try r.readString()
            case 2:
                try expect(type, .lengthDelimited, "value", r)
                value = try r.readString()
            default:
                try r.skip(type)
            }
        }
        return (key, value)
    }

    static func graph(_ r: inout WireReader) throws -> OnnxGraph {
        var graph = OnnxGraph()
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "node", r)
                graph.nodes.append(try r.readMessage("node[\(graph.nodes.count)]", node))
            case 2:
                try expect(type, .lengthDelimited, "name", r)
                graph.name = try r.readString()
            case 5:
                try expect(type, .lengthDelimited, "initializer", r)
                graph.initializers.append(try r.readMessage("initializer[\(graph.initializers.count)]", tensor))
            case 11:
                try expect(type, .lengthDelimited, "input", r)
                graph.inputs.append(try r.readMessage("input[\(graph.inputs.count)]", valueInfo))
            case 12:
                try expect(type, .lengthDelimited, "output", r)
                graph.outputs.append(try r.readMessage("output[\(graph.outputs.count)]", valueInfo))
            case 13:
                try expect(type, .lengthDelimited, "value_info", r)
                graph.valueInfo.append(try r.readMessage("value_info[\(graph.valueInfo.count)]", valueInfo))
            case 15:
                try expect(type, .lengthDelimited, "sparse_initializer", r)
                let index = graph.sparseInitializerNames.count
                graph.sparseInitializerNames.append(try r.readMessage("sparse_initializer[\(index)]", sparseTensorName))
            default:
                try r.skip(type)
            }
        }
        return graph
    }

    /// The name of a SparseTensorProto (the name of its `values` tensor, field 1).
    static func sparseTensorName(_ r: inout WireReader) throws -> String {
        var name = ""
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            if field == 1 {
                try expect(type, .lengthDelimited, "values", r)
                name = try r.readMessage("values", tensor).name
            } else {
                try r.skip(type)
            }
        }
        return name
    }
}
