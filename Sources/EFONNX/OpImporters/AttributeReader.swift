// Typed access to an ONNX node's attributes for the op importers, with errors that name the
// node and attribute, plus the small lowering helpers several importer groups share.

import EFCore
import EFIR
import EFInterpreter
import Foundation

/// Reads the attributes of one ONNX node.
struct AttributeReader {
    let node: OnnxNode

    init(_ node: OnnxNode) { self.node = node }

    func has(_ name: String) -> Bool { node.attributes[name] != nil }

    func int(_ name: String) throws -> Int? {
        switch node.attributes[name] {
        case nil: return nil
        case .int(let v)?: return v
        default: throw wrongType(name, "an int")
        }
    }
    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    func ints(_ name: String) throws -> [Int]? {
        switch node.attributes[name] {
        case nil: return nil
        case .ints(let v)?: return v
        case .int(let v)?: return [v]
        default: throw wrongType(name, "a list of ints")
        }
    }

    func float(_ name: String) throws -> Float? {
        switch node.attributes[name] {
        case nil: return nil
        case .float(let v)?: return v
        case .int(let v)?: return Float(v)
        default: throw wrongType(name, "a float")
        }
    }
    func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    func string(_ name: String) throws -> String? {
        switch node.attributes[name] {
        case nil: return nil
        case .string(let data)?: return String(decoding: data, as: UTF8.self)
        default: throw wrongType(name, "a string")
        }
    }
    func string(_ name: String, default value: String) throws -> String { try string(name) ?? value }

    func requiredInt(_ name: String) throws -> Int {
        guard let v = try int(name) else { throw missing(name) }
        return v
    }
    func requiredInts(_ name: String) throws -> [Int] {
        guard let v = try ints(name) else { throw missing(name) }
        return v
    }

    private func wrongType(_ name: String, _ expected: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)': attribute '\(name)' should be \(expected)")
    }
    private func missing(_ name: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)' lacks its required attribute '\(name)'")
    }
}

/// Small helpers for lowering ONNX ops.
enum LoweringSupport {
    /// The Edgeflow dtype of an ONNX TensorProto.DataType code, or nil when unsupported.
    static func dtype(onnxCode code: Int) -> DType? {
        let table: [Int: DType] = [
            1: .float32, 2: .uint8, 3: .int8, 4: .uint16, 5: .int16, 6: .int32, 7: .int64, 9: .bool,
            10: .float16, 11: .float64, 12: .uint32, 13: .uint64, 16: .bfloat16,
        ]
        return table[code]
    }

    /// Error for an ONNX feature Edgeflow does not import.
    static func unsupported(_ node: OnnxNode, _ what: String, hint: String? = nil) -> EdgeflowError {
        EdgeflowError(.unsupported, "\(node.opType) node '\(node.displayName)': \(what)", hint: hint)
    }

    /// Error for an ONNX node that breaks the operator's rules.
    static func invalid(_ node: OnnxNode, _ what: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)': \(what)")
    }

    /// Normalizes `axis` for `rank`, with an error naming the node.
    static func axis(_ axis: Int, rank: Int, _ node: OnnxNode) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else {
            throw invalid(node, "axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }

    /// The integer values of a constant shape-deciding input (Reshape shape, Slice starts, ...).
    static func intValues(_ tensor: Tensor, _ node: OnnxNode, _ role: String) throws -> [Int] {
        switch tensor.dtype {
        case .int64: return tensor.scalars(as: Int64.self).map { Int($0) }
        case .int32: return tensor.scalars(as: Int32.self).map { Int($0) }
        default: throw invalid(node, "its \(role) input must be int32 or int64, got \(tensor.dtype.rawValue)")
        }
    }

    /// A tensor of `dtype` and `shape` with every element `value`, converted by the cast kernel.
    static func filled(_ value: Double, _ dtype: DType, shape: [Int] = []) throws -> Tensor {
        try converted([Double](repeating: value, count: shape.elementCount), dtype, shape: shape)
    }

    /// A tensor of `dtype` and `shape` holding `values`, converted by the cast kernel.
    static func converted(_ values: [Double], _ dtype: DType, shape: [Int]) throws -> Tensor {
        let wide = Tensor(shape: shape, scalars: values)
        let cast = Node(name: "constant", op: .cast, inputs: ["x"], outputs: ["y"], attributes: ["to": .string(dtype.rawValue)])
        return try NodeEvaluator.evaluate(cast, inputs: [wide])[0]
    }

    /// Adds a constant like `filled` and returns its IR name.
    static func constant(_ value: Double, _ dtype: DType, shape: [Int] = [], _ ctx: ImportContext,
                         _ node: OnnxNode, hint: String) throws -> String {
        ctx.addConstant(try filled(value, dtype, shape: shape), hint: "\(node.displayName)/\(hint)")
    }

    /// Emits a reshape of `value` to `shape` (a view; folded when `value` is constant).
    static func reshape(_ value: String, to shape: [Int], _ ctx: ImportContext, _ node: OnnxNode,
                        hint: String, output: String? = nil) throws -> String {
        if let output {
            try ctx.emit(.reshape, [value], ["shape": .ints(shape)], outputs: [output], from: node)
            return output
        }
        if try ctx.type(value).shape == shape { return value }
        return try ctx.emit(.reshape, [value], ["shape": .ints(shape)], from: node, hint: hint)
    }
}
