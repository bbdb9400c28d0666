// When an importer needs a constant operand (a shape, a bound, an axis list) that the graph
// computes at run time: which graph inputs it comes from, and the message for the user.

import EFCore

enum RunTimeOperands {
    /// The graph inputs (not in `excluded`) whose values `value` depends on. Shape and Size
    /// read only static shapes, so the walk does not pass through them.
    static func graphInputs(feeding value: String, in graph: OnnxGraph, excluding excluded: Set<String>) -> [String] {
        var producer: [String: OnnxNode] = [:]
        for node in graph.nodes.withSubgraphNodes {  // values inside If branches too
            for output in node.outputs where !output.isEmpty { producer[output] = node }
        }
        let inputs = Set(graph.inputs.map(\.name)).subtracting(graph.initializers.map(\.name)).subtracting(excluded)
        var found = Set<String>(), seen = Set<String>()
        var stack = [value]
        while let name = stack.popLast() {
            guard !name.isEmpty, seen.insert(name).inserted else { continue }
            if inputs.contains(name) {
                found.insert(name)
            } else if let node = producer[name], node.opType != "Shape", node.opType != "Size" {
                stack.append(contentsOf: node.inputs + node.subgraphReads)
            }
        }
        return graph.inputs.map(\.name).filter(found.contains)
    }

    /// The error for an operand that could not be made constant.
    static func error(_ failure: NonConstantOperand, sources: [String], in graph: OnnxGraph) -> EdgeflowError {
        let opType = graph.nodes.withSubgraphNodes.first(where: { $0.displayName == failure.node })?
            .opType ?? "The"
        let origin = sources.isEmpty
            ? "is computed at run time"
            : "is computed at run time from graph input" + (sources.count > 1 ? "s " : " ")
                + sources.map { "'\($0)'" }.joined(separator: ", ")
        return EdgeflowError(.unsupported,
            "\(opType) node '\(failure.node)' needs its \(failure.role) operand '\(failure.value)' to be a constant, "
                + "but it \(origin); Edgeflow compiles static shapes",
            hint: "give dynamic input dims with --input-shape, or freeze the inputs it depends on to constant values "
                + "with --input-value NAME=VALUE (ImportOptions.frozenInputs)")
    }
}
