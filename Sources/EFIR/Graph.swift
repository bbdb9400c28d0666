// The typed graph every stage works on: values with static types, nodes in topological order,
// and constant weights.

import EFCore

/// The static type of a value: element type and shape.
public struct TensorType: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: [Int]

    public init(_ dtype: DType, _ shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    public var description: String { "\(dtype.rawValue)\(shape.shapeDescription)" }
}

/// One operation. Values are referred to by name; "" stands for an absent optional input.
public struct Node: Codable, Equatable, Sendable {
    /// Unique node name.
    public var name: String
    public var op: OpType
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: Attributes
    /// Names of the source-model nodes this node came from (for messages and mapping back).
    public var originalNames: [String]

    public init(name: String, op: OpType, inputs: [String], outputs: [String],
                attributes: Attributes = [:], originalNames: [String] = []) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.originalNames = originalNames
    }
}

/// The stage a graph is in (the archive's `state`).
public enum GraphStage: String, Codable, Sendable {
    case native
}

/// A dataflow graph with static shapes.
///
/// Invariants (checked by `Verifier`): nodes are topologically ordered, every value is produced
/// exactly once (as an input, a weight or a node output) and has a type, every node input exists.
public struct Graph: Sendable {
    public var name: String
    public var stage: GraphStage
    /// Graph input names, in order.
    public var inputs: [String]
    /// Graph output names, in order.
    public var outputs: [String]
    /// Nodes in topological order.
    public var nodes: [Node]
    /// The type of every value (inputs, weights, node outputs).
    public var types: [String: TensorType]
    /// Constant tensors by value name.
    public var weights: [String: Tensor]
    /// Free-form metadata carried from the source model (e.g. ONNX `metadata_props`).
    public var metadata: [String: String]

    public init(name: String, stage: GraphStage = .native, inputs: [String] = [], outputs: [String] = [],
                nodes: [Node] = [], types: [String: TensorType] = [:], weights: [String: Tensor] = [:],
                metadata: [String: String] = [:]) {
        self.name = name
        self.stage = stage
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.types = types
        self.weights = weights
        self.metadata = metadata
    }

    /// The type of a value.
    /// - Throws: `EdgeflowError.invalidModel` when the value is unknown.
    public func type(of value: String) throws -> TensorType {
        guard let type = types[value] else {
            throw EdgeflowError(.invalidModel, "value '\(value)' has no type")
        }
        return type
    }

    /// Total multiply-accumulate count is computed elsewhere; this is the parameter count.
    public var weightElementCount: Int { weights.values.reduce(0) { $0 + $1.count } }
}
