// Cleanup passes: removal of no-op nodes (identity, same-shape reshape, identity transpose,
// same-dtype cast) and dead-code elimination (nodes whose outputs nobody reads, unused
// weights, types of values that no longer exist).

import EFCore
import EFIR

enum Cleanup {
    /// Removes nodes that return their input unchanged. A node whose output is a graph output
    /// stays (graph outputs keep their names).
    static func removeNoOps(_ graph: Graph) -> PassOutcome {
        var rewriter = GraphRewriter(graph)
        let outputs = Set(graph.outputs)
        var removed = 0
        for (index, node) in graph.nodes.enumerated() where isNoOp(node, graph) {
            guard let output = node.outputs.first, !outputs.contains(output) else { continue }
            rewriter.bypass(index, value: output, with: node.inputs[0])
            removed += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: removed)
    }

    private static func isNoOp(_ node: Node, _ graph: Graph) -> Bool {
        guard node.outputs.count == 1, let input = node.inputs.first, !input.isEmpty,
              let inputType = graph.types[input], graph.types[node.outputs[0]] == inputType else { return false }
        switch node.op {
        case .unary: return node.isUnary(.identity)
        case .reshape, .expand: return true
        case .transpose:
            guard case .transpose(let perm) = node.params else { return false }
            return perm == Array(perm.indices)
        case .cast: return true
        default: return false
        }
    }

    /// Drops nodes none of whose outputs is read or a graph output, then weights nobody reads
    /// and types of values that no longer exist. Counts removed nodes.
    static func eliminateDeadCode(_ graph: Graph) -> PassOutcome {
        var live = Set(graph.outputs)
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            guard node.outputs.contains(where: { live.contains($0) }) else { continue }
            keep[index] = true
            live.formUnion(node.reads)
        }
        var result = graph
        result.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
        result.weights = graph.weights.filter { live.contains($0.key) }
        var existing = Set(result.inputs).union(result.weights.keys)
        for node in result.nodes { existing.formUnion(node.outputs) }
        result.types = graph.types.filter { existing.contains($0.key) }
        return PassOutcome(graph: result, changes: graph.nodes.count - result.nodes.count)
    }
}
