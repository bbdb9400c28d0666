// Builders for small serialized ONNX messages (field numbers from onnx.proto), so tests can make
// valid and deliberately broken models without Python.

import Foundation

/// Serialized ONNX messages as bytes.
public enum OnnxBytes {
    /// A dimension of a declared shape.
    public enum Dim {
        case value(Int)
        case param(String)
    }

    /// ValueInfoProto with a tensor type; `dims` nil declares no shape.
    public static func valueInfo(_ name: String, elemType: Int = 1, dims: [Dim]?) -> [UInt8] {
        var w = ProtoWriter()
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, elemType)
                if let dims {
                    tensor.message(2) { shape in
                        for dim in dims {
                            shape.message(1) { d in
                                switch dim {
                                case .value(let v): d.int(1, v)
                                case .param(let p): d.string(2, p)
                                }
                            }
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    /// ValueInfoProto with static dims.
    public static func valueInfo(_ name: String, elemType: Int = 1, shape: [Int]) -> [UInt8] {
        valueInfo(name, elemType: elemType, dims: shape.map { .value($0) })
    }

    /// TensorProto with raw data, float_data, or external data entries.
    public static func tensor(_ name: String, dims: [Int], dataType: Int = 1, raw: [UInt8]? = nil,
                              floats: [Float] = [], external: [(String, String)] = []) -> [UInt8] {
        var w = ProtoWriter()
        w.packedInts(1, dims)
        w.int(2, dataType)
        if !floats.isEmpty { w.packedFloats(4, floats) }
        w.string(8, name)
        if let raw { w.bytes(9, raw) }
        for (key, value) in external {
            w.message(13) { entry in
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        if !external.isEmpty { w.int(14, 1) }
        return w.bytes
    }

    /// The little-endian bytes of float values.
    public static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// NodeProto.
    public static func node(_ opType: String, _ inputs: [String], _ outputs: [String], name: String = "",
                            domain: String = "", attributes: [[UInt8]] = []) -> [UInt8] {
        var w = ProtoWriter()
        for input in inputs { w.string(1, input) }
        for output in outputs { w.string(2, output) }
        if !name.isEmpty { w.string(3, name) }
        w.string(4, opType)
        for attribute in attributes { w.bytes(5, attribute) }
        if !domain.isEmpty { w.string(7, domain) }
        return w.bytes
    }

    /// AttributeProto of type INT.
    public static func intAttribute(_ name: String, _ value: Int) -> [UInt8] {
        var w = ProtoWriter()
        w.string(1, name)
        w.int(3, value)
        w.int(20, 2)
        return w.bytes
    }

    /// AttributeProto of type TENSOR.
    public static func tensorAttribute(_ name: String, _ tensor: [UInt8]) -> [UInt8] {
        var w = ProtoWriter()
        w.string(1, name)
        w.bytes(5, tensor)
        w.int(20, 4)
        return w.bytes
    }

    /// GraphProto.
    public static func graph(name: String = "g", nodes: [[UInt8]], inputs: [[UInt8]], outputs: [[UInt8]],
                             initializers: [[UInt8]] = [], valueInfo: [[UInt8]] = []) -> [UInt8] {
        var w = ProtoWriter()
        for node in nodes { w.bytes(1, node) }
        w.string(2, name)
        for initializer in initializers { w.bytes(5, initializer) }
        for input in inputs { w.bytes(11, input) }
        for output in outputs { w.bytes(12, output) }
        for info in valueInfo { w.bytes(13, info) }
        return w.bytes
    }

    /// ModelProto with an ai.onnx opset import (plus `extraOpsets`) and metadata.
    public static func model(graph: [UInt8], opset: Int = 17, irVersion: Int = 8,
                             extraOpsets: [(String, Int)] = [], metadata: [(String, String)] = []) -> Data {
        var w = ProtoWriter()
        w.int(1, irVersion)
        w.string(2, "edgeflow-tests")
        w.bytes(7, graph)
        for (domain, version) in [("", opset)] + extraOpsets {
            w.message(8) { entry in
                entry.string(1, domain)
                entry.int(2, version)
            }
        }
        for (key, value) in metadata {
            w.message(14) { entry in
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return Data(w.bytes)
    }
}
