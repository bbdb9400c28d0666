// The typed graph every stage works on: values with static types, nodes in topological order,
// and constant weights.

import EFCore
@_exported import EFOps

/// One operation. Values are referred to by name; "" stands for an absent optional input.
public struct Node: Codable, Equatable, Sendable {
    /// Unique node name.
    public var name: String
    /// The op and its typed parameters.
    public var params: OpParameters
    public var inputs: [String]
    public var outputs: [String]
    /// Names of the source-model nodes this node came from (for messages and mapping back).
    public var originalNames: [String]
    /// The node runs only when all of these hold (the branches of a run-time `If`); empty:
    /// always. A hint: `RunConditions.checked` drops any the graph does not justify.
    public var runsWhen: [RunCondition] = []
    /// A float conv, convTranspose or matMul in bf16 (a model script's `precision_mode=bf16`, or a
    /// promotion of the sensitivity search): compiled, its inputs and weights are rounded to
    /// bfloat16 and the products summed in float32; the reference interpreter computes it in float32.
    public var bfloat16Products = false

    public init(name: String, _ params: OpParameters, inputs: [String], outputs: [String],
                originalNames: [String] = [], runsWhen: [RunCondition] = []) {
        self.name = name
        self.params = params
        self.inputs = inputs
        self.outputs = outputs
        self.originalNames = originalNames
        self.runsWhen = runsWhen
    }

    /// A node from the string-keyed parameter form (the ONNX and JSON boundaries, tests).
    /// - Throws: `EdgeflowError.invalidModel` naming the node and the malformed parameter.
    public init(name: String, op: OpType, inputs: [String], outputs: [String],
                attributes: Attributes = [:], originalNames: [String] = []) throws {
        do {
            self.init(name: name, try OpParameters(op, attributes), inputs: inputs, outputs: outputs,
                      originalNames: originalNames)
        } catch let error as EdgeflowError {
            throw error.prefixed("node '\(name)' (\(op.rawValue))")
        }
    }

    /// The core op.
    public var op: OpType { params.op }
    /// The parameters in their string-keyed form (for JSON and text dumps only).
    public var attributes: Attributes { params.attributes }

    /// Every value the node reads: its present inputs and its conditions.
    public var reads: [String] { inputs.filter { !$0.isEmpty } + runsWhen.map(\.value) }

    private enum CodingKeys: String, CodingKey {
        case name, op, inputs, outputs, attributes, originalNames, runsWhen, bfloat16Products
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(name: try container.decode(String.self, forKey: .name),
                      op: try container.decode(OpType.self, forKey: .op),
                      inputs: try container.decode([String].self, forKey: .inputs),
                      outputs: try container.decode([String].self, forKey: .outputs),
                      attributes: try container.decodeIfPresent(Attributes.self, forKey: .attributes) ?? [:],
                      originalNames: try container.decodeIfPresent([String].self, forKey: .originalNames) ?? [])
        runsWhen = try container.decodeIfPresent([RunCondition].self, forKey: .runsWhen) ?? []
        bfloat16Products = try container.decodeIfPresent(Bool.self, forKey: .bfloat16Products) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(op, forKey: .op)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(attributes, forKey: .attributes)
        try container.encode(originalNames, forKey: .originalNames)
        if !runsWhen.isEmpty { try container.encode(runsWhen, forKey: .runsWhen) }
        if bfloat16Products { try container.encode(true, forKey: .bfloat16Products) }
    }
}

/// The stage a graph is in (the archive's `state`).
public enum GraphStage: String, Codable, Sendable, CaseIterable {
    /// As imported: the source model's computation on the core op set.
    case native
    /// After the float optimization passes (folding, fusion, recognition, layout).
    case fpOptimized = "fp-optimized"
    /// Quantized (reserved for the quantizer).
    case quantized
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
