// What an op importer works with: the values imported so far, their types and known constants,
// and `emit`, which appends a core node (or folds it when all its inputs are constant).

import EFCore
import EFIR
import EFInterpreter
import Foundation

/// Thrown when an operand that decides a shape is not a constant: Edgeflow compiles static
/// graphs. `value` is the ONNX value name; the importer turns this into a message (and callers
/// such as the conformance runner may retry with that graph input frozen).
public struct NonConstantOperand: Error, Sendable {
    public var value: String
    public var node: String
    public var role: String
}

/// The state of one import, shared by all op importers.
public final class ImportContext {
    /// The model's ai.onnx opset version.
    public let opset: Int
    /// The model file's directory, where tensors with external data keep it (nil when the
    /// model was not read from a file).
    public var baseDirectory: URL?
    public private(set) var nodes: [Node] = []
    public private(set) var types: [String: TensorType] = [:]
    public private(set) var weights: [String: Tensor] = [:]
    /// ONNX value name → IR value name, for ops that import as pure renames (Identity, Dropout).
    private var aliases: [String: String] = [:]
    private var usedNames = Set<String>()

    public init(opset: Int) { self.opset = opset }

    // MARK: Reading values

    /// The IR value for an ONNX value name (following aliases).
    public func value(_ onnxName: String) -> String { aliases[onnxName] ?? onnxName }

    /// The IR value of input `index` of `node`, or nil when absent or "".
    public func input(_ node: OnnxNode, _ index: Int) -> String? {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else { return nil }
        return value(node.inputs[index])
    }

    /// Like `input`, but an absent input is an error naming its role.
    public func requiredInput(_ node: OnnxNode, _ index: Int, _ role: String) throws -> String {
        guard let name = input(node, index) else {
            throw EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)' lacks its \(role) input")
        }
        return name
    }

    /// The type of an IR value.
    public func type(_ value: String) throws -> TensorType {
        guard let type = types[value] else {
            throw EdgeflowError(.invalidModel, "value '\(value)' is used before it is produced")
        }
        return type
    }

    /// The constant tensor behind an IR value, if it is one.
    public func constant(_ value: String) -> Tensor? { weights[value] }

    /// The constant value of input `index`, or nil if absent; throws `NonConstantOperand` when
    /// present but computed at run time.
    public func constantInput(_ node: OnnxNode, _ index: Int, _ role: String) throws -> Tensor? {
        guard let name = input(node, index) else { return nil }
        guard let tensor = weights[name] else {
            throw NonConstantOperand(value: node.inputs[index], node: node.displayName, role: role)
        }
        return tensor
    }

    /// Like `constantInput` but the input must be present.
    public func requiredConstantInput(_ node: OnnxNode, _ index: Int, _ role: String) throws -> Tensor {
        guard let tensor = try constantInput(node, index, role) else {
            throw EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)' lacks its \(role) input")
        }
        return tensor
    }

    // MARK: Producing values

    /// Declares a graph input.
    public func addInput(_ name: String, _ type: TensorType) {
        usedNames.insert(name)
        types[name] = type
    }

    /// Adds a constant under `name` (an ONNX initializer or Constant output).
    public func addWeight(_ name: String, _ tensor: Tensor) {
        usedNames.insert(name)
        types[name] = TensorType(tensor.dtype, tensor.shape)
        weights[name] = tensor
    }

    /// Adds a constant under a fresh name derived from `hint`; returns the name.
    public func addConstant(_ tensor: Tensor, hint: String) -> String {
        let name = freshName(hint)
        addWeight(name, tensor)
        return name
    }

    /// Makes the ONNX value `onnxName` refer to the existing IR value `value`.
    public func alias(_ onnxName: String, to value: String) {
        usedNames.insert(onnxName)
        aliases[onnxName] = self.value(value)
    }

    /// Keeps `freshName` from choosing any of `names` (the importer reserves every ONNX value
    /// name up front, so generated names never collide with a later node's outputs).
    public func reserveNames<Names: Sequence>(_ names: Names) where Names.Element == String {
        usedNames.formUnion(names)
    }

    /// Appends a core node computing `outputs` (names chosen by the caller, normally the ONNX
    /// node's outputs), or folds it into constants when every present input is constant.
    /// - Throws: shape-inference errors naming the ONNX node.
    public func emit(_ op: OpType, _ inputs: [String], _ attributes: Attributes = [:],
                     outputs: [String], from source: OnnxNode) throws {
        let node = Node(name: freshNodeName(source.displayName), op: op, inputs: inputs, outputs: outputs,
                        attributes: attributes, originalNames: [source.displayName])
        let inputTypes = try inputs.map { $0.isEmpty ? nil : try type($0) }
        let outputTypes: [TensorType]
        do {
            outputTypes = try ShapeInference.infer(node, inputTypes: inputTypes)
        } catch let error as EdgeflowError {
            throw error.prefixed("\(source.opType) '\(source.displayName)'")
        }
        let present = inputs.filter { !$0.isEmpty }
        if !present.isEmpty && present.allSatisfy({ weights[$0] != nil }) {
            let values = try NodeEvaluator.evaluate(node, inputs: inputs.map { $0.isEmpty ? nil : weights[$0] })
            for (name, tensor) in zip(outputs, values) { addWeight(name, tensor) }
            return
        }
        for (name, type) in zip(outputs, outputTypes) {
            usedNames.insert(name)
            types[name] = type
        }
        nodes.append(node)
    }

    /// Emits a single-output node with a fresh output name derived from the ONNX node; returns it.
    public func emit(_ op: OpType, _ inputs: [String], _ attributes: Attributes = [:],
                     from source: OnnxNode, hint: String) throws -> String {
        let output = freshName("\(source.displayName)/\(hint)")
        try emit(op, inputs, attributes, outputs: [output], from: source)
        return output
    }

    /// A value name not used so far, based on `hint`.
    public func freshName(_ hint: String) -> String { Self.unique(hint, in: &usedNames) }

    private var nodeNames = Set<String>()
    private func freshNodeName(_ hint: String) -> String { Self.unique(hint, in: &nodeNames) }

    /// `hint`, or `hint_1`, `hint_2`... whichever is not yet in `taken`; records it there.
    private static func unique(_ hint: String, in taken: inout Set<String>) -> String {
        var candidate = hint
        var counter = 1
        while taken.contains(candidate) {
            candidate = "\(hint)_\(counter)"
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
