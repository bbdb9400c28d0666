// The native emulator: runs a whole graph node by node with the reference kernels, freeing
// each intermediate value after its last use, with an optional tap on every value. A node
// whose run conditions do not hold (the branch of an `If` not taken) is skipped: its outputs
// are zeros that only the `where` choosing the other branch reads (RunConditions).

import EFCore
import EFIR

/// Runs graphs with the reference kernels.
public struct Interpreter {
    public let graph: Graph
    /// For each node index, the values whose last reader it is (freed after it runs).
    private let releaseAfter: [[String]]

    /// Prepares a graph for running.
    public init(graph: Graph) {
        let graph = RunConditions.checked(graph)
        self.graph = graph
        var lastUse: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.reads { lastUse[input] = index }
        }
        let keep = Set(graph.outputs)
        var release = [[String]](repeating: [], count: graph.nodes.count)
        for (value, index) in lastUse where !keep.contains(value) && graph.weights[value] == nil {
            release[index].append(value)
        }
        releaseAfter = release
    }

    /// Runs the graph.
    /// - Parameters:
    ///   - inputs: one tensor per graph input, by name, with exactly the declared dtype and shape.
    ///   - tap: called with every value as it is produced (graph inputs first, then node outputs).
    /// - Returns: the graph outputs by name.
    /// - Throws: `EdgeflowError.invalidInput` for missing, extra or mistyped inputs; kernel errors
    ///   naming the node.
    public func run(_ inputs: [String: Tensor],
                    tap: ((String, Tensor) -> Void)? = nil) throws -> [String: Tensor] {
        try validate(inputs)
        var values: [String: Tensor] = graph.weights
        for name in graph.inputs {
            values[name] = inputs[name]
            tap?(name, inputs[name]!)
        }
        for (index, node) in graph.nodes.enumerated() {
            guard node.runsWhen.allSatisfy({ RunConditions.holds($0, values[$0.value]!) }) else {
                for name in node.outputs where !name.isEmpty {
                    let type = try graph.type(of: name)
                    values[name] = Tensor(zeros: type.dtype, shape: type.shape)
                }
                for name in releaseAfter[index] { values[name] = nil }
                continue
            }
            let arguments = node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let results = try NodeEvaluator.evaluate(node, inputs: arguments)
            for (name, tensor) in zip(node.outputs, results) {
                values[name] = tensor
                tap?(name, tensor)
            }
            for name in releaseAfter[index] { values[name] = nil }
        }
        var outputs: [String: Tensor] = [:]
        for name in graph.outputs {
            guard let value = values[name] else {
                throw EdgeflowError(.internalError, "graph output '\(name)' was not computed")
            }
            outputs[name] = value
        }
        return outputs
    }

    private func validate(_ inputs: [String: Tensor]) throws {
        let expected = Set(graph.inputs)
        let extra = inputs.keys.filter { !expected.contains($0) }.sorted()
        let missing = graph.inputs.filter { inputs[$0] == nil }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing input(s) \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unknown input(s) \(extra.joined(separator: ", "))") }
            throw EdgeflowError(.invalidInput, parts.joined(separator: "; "),
                                hint: "the model's inputs are: " + graph.inputs.map { name in
                                    "\(name) \(graph.types[name]!)" }.joined(separator: ", "))
        }
        for name in graph.inputs {
            let type = graph.types[name]!
            let tensor = inputs[name]!
            guard tensor.dtype == type.dtype, tensor.shape == type.shape else {
                throw EdgeflowError(.invalidInput,
                    "input '\(name)' is \(tensor.dtype.rawValue)\(tensor.shape.shapeDescription) "
                        + "but the model expects \(type)")
            }
        }
    }
}
