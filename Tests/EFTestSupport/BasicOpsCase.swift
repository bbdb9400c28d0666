// Reads the ONNX node-test cases converted by tools/goldens/basic_ops_onnx_cases.py:
// a case.json describing the nodes and opset, and input_i.npy / output_j.npy arrays.

import EFCore
import Foundation

/// One converted ONNX backend test case.
public struct BasicOpsCase {
    /// An attribute value as stored in case.json.
    public enum AttributeValue: Decodable {
        case int(Int), ints([Int]), float(Float), floats([Float]), string(String)

        private enum Key: String, CodingKey { case int, ints, float, floats, string }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            if let v = try c.decodeIfPresent(Int.self, forKey: .int) { self = .int(v) }
            else if let v = try c.decodeIfPresent([Int].self, forKey: .ints) { self = .ints(v) }
            else if let v = try c.decodeIfPresent(Double.self, forKey: .float) { self = .float(Float(v)) }
            else if let v = try c.decodeIfPresent([Double].self, forKey: .floats) { self = .floats(v.map { Float($0) }) }
            else if let v = try c.decodeIfPresent(String.self, forKey: .string) { self = .string(v) }
            else { throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "unknown attribute kind")) }
        }
    }

    public struct NodeDescription: Decodable {
        public var op: String
        public var name: String
        public var inputs: [String]
        public var outputs: [String]
        public var attributes: [String: AttributeValue]
    }

    private struct Description: Decodable {
        var opset: Int
        var nodes: [NodeDescription]
        var inputs: [String]
        var outputs: [String]
        var initializers: [String]
        var dtypes: [String: String]
    }

    public let name: String
    public let opset: Int
    public let nodes: [NodeDescription]
    /// Graph inputs and outputs: ONNX value names with their tensors.
    public let inputs: [(name: String, tensor: Tensor)]
    public let outputs: [(name: String, tensor: Tensor)]
    /// Constant tensors of the model (ONNX initializers).
    public let initializers: [(name: String, tensor: Tensor)]

    /// Loads the case in `directory`.
    public init(directory: URL) throws {
        name = directory.lastPathComponent
        let description = try JSONDecoder().decode(Description.self,
            from: try Data(contentsOf: directory.appendingPathComponent("case.json")))
        opset = description.opset
        nodes = description.nodes
        func load(_ kind: String, _ names: [String]) throws -> [(name: String, tensor: Tensor)] {
            try names.enumerated().map { index, name in
                let file = "\(kind)_\(index)"
                var tensor = try NPY.read(contentsOf: directory.appendingPathComponent(file + ".npy"))
                if description.dtypes[file] == "bfloat16" {
                    tensor = tensor.withUnsafeBytes { Tensor(dtype: .bfloat16, shape: tensor.shape, bytes: $0) }
                }
                return (name, tensor)
            }
        }
        inputs = try load("input", description.inputs)
        outputs = try load("output", description.outputs)
        initializers = try load("initializer", description.initializers)
    }

    /// Every case under Tests/Goldens/basic-ops, sorted by name.
    public static func all() throws -> [BasicOpsCase] {
        let root = TestData.goldens.appendingPathComponent("basic-ops")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        return try names.map { try BasicOpsCase(directory: root.appendingPathComponent($0)) }
    }

    /// True when `actual` matches `expected`: same dtype and shape, integers and bools exactly,
    /// floats within `atol + rtol · |expected|` (NaN matches NaN; infinities must match exactly).
    public static func matches(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> Bool {
        guard actual.dtype == expected.dtype, actual.shape == expected.shape else { return false }
        if !expected.dtype.isFloatingPoint { return actual.isBitwiseEqual(to: expected) }
        for (a, e) in zip(actual.doubleValues(), expected.doubleValues()) {
            if a.isNaN || e.isNaN { if a.isNaN != e.isNaN { return false }; continue }
            if a.isInfinite || e.isInfinite { if a != e { return false }; continue }
            if abs(a - e) > atol + rtol * abs(e) { return false }
        }
        return true
    }
}
