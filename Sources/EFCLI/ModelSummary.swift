// A graph summarized for `parse` and `inspect`: inputs and outputs with byte sizes, an op
// histogram, weight and parameter counts; as text or as JSON.

import EFArchive
import EFCore
import EFIR

/// What a person or a script wants to know about a graph at a glance.
struct ModelSummary: Encodable {
    struct Value: Encodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var elements: Int
        var bytes: Int
    }

    var name: String
    var stage: String
    var inputs: [Value]
    var outputs: [Value]
    var nodeCount: Int
    /// Node count per op name.
    var ops: [String: Int]
    var weightCount: Int
    /// Total elements of all weights.
    var parameterCount: Int
    var weightBytes: Int
    /// Keys of the graph metadata (e.g. `character` for PP-OCR), with their value lengths.
    var metadata: [String: Int]
    /// Nodes that run only when the condition of a run-time `If` branch holds (justified ones).
    var conditionalNodeCount: Int

    init(_ graph: Graph) {
        func describe(_ name: String) -> Value {
            guard let type = graph.types[name] else {  // a verified graph types every value
                return Value(name: name, dtype: "untyped", shape: [], elements: 0, bytes: 0)
            }
            let elements = type.shape.elementCount
            return Value(name: name, dtype: type.dtype.rawValue, shape: type.shape,
                         elements: elements, bytes: elements * type.dtype.byteSize)
        }
        name = graph.name
        stage = graph.stage.rawValue
        inputs = graph.inputs.map(describe)
        outputs = graph.outputs.map(describe)
        nodeCount = graph.nodes.count
        ops = graph.nodes.reduce(into: [:]) { $0[$1.op.rawValue, default: 0] += 1 }
        weightCount = graph.weights.count
        parameterCount = graph.weightElementCount
        weightBytes = graph.weights.values.reduce(0) { $0 + $1.byteCount }
        metadata = graph.metadata.mapValues(\.count)
        conditionalNodeCount = RunConditions.checked(graph).nodes.filter { !$0.runsWhen.isEmpty }.count
    }

    /// Indented text lines.
    var lines: [String] {
        var lines = ["graph '\(name)' (\(stage)): \(CommandSupport.grouped(nodeCount)) nodes, "
            + "\(CommandSupport.grouped(weightCount)) weights (\(CommandSupport.grouped(parameterCount)) parameters, "
            + "\(CommandSupport.bytes(weightBytes)))"]
        lines.append("inputs:")
        lines += table(inputs)
        lines.append("outputs:")
        lines += table(outputs)
        let histogram = ops.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if !histogram.isEmpty {
            lines.append("ops: " + histogram.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if conditionalNodeCount > 0 {
            lines.append("branches: \(CommandSupport.grouped(conditionalNodeCount)) nodes run only when their "
                + "If condition holds")
        }
        if !metadata.isEmpty {
            lines.append("metadata: " + metadata.keys.sorted()
                .map { "\($0) (\(CommandSupport.grouped(metadata[$0] ?? 0)) characters)" }
                .joined(separator: ", "))
        }
        return lines
    }

    private func table(_ values: [Value]) -> [String] {
        let nameWidth = values.map(\.name.count).max() ?? 0
        let types = values.map { "\($0.dtype)\($0.shape.shapeDescription)" }
        let typeWidth = types.map(\.count).max() ?? 0
        return zip(values, types).map { value, type in
            "  " + value.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + type.padding(toLength: typeWidth, withPad: " ", startingAt: 0) + "  "
                + "\(CommandSupport.grouped(value.elements)) elements, \(CommandSupport.grouped(value.bytes)) bytes"
        }
    }
}
