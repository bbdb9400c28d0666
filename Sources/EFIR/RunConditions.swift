// Which run conditions of a graph's nodes are safe to honour. The importer guards the nodes of
// a run-time `If`'s branches with its condition; passes that rebuild nodes may drop a guard
// (the node then always runs, which is correct) but can also leave one that is no longer
// justified. Before a graph runs (interpreter or compiler), every guard is checked here and
// the unjustified ones are dropped, so skipping a node never changes a result.

import EFCore

/// The checking of `Node.runsWhen`.
public enum RunConditions {
    /// `graph` with only justified run conditions. A node keeps its conditions when each names
    /// a one-element bool value defined before the node, none of its outputs is a graph output,
    /// and every reader of its outputs either runs under the same conditions (and maybe more)
    /// or is a `where` choosing on one of them that takes the node's output only on the arm of
    /// that condition's value (under the node's other conditions). Dropping one node's
    /// conditions can unjustify its producers', so this repeats until nothing changes.
    public static func checked(_ graph: Graph) -> Graph {
        guard graph.nodes.contains(where: { !$0.runsWhen.isEmpty }) else { return graph }
        var result = graph
        var definedBefore = Set(graph.inputs).union(graph.weights.keys)
        for index in result.nodes.indices {
            let node = result.nodes[index]
            if !node.runsWhen.allSatisfy({ isCondition($0.value, graph, definedBefore) }) {
                result.nodes[index].runsWhen = []
            }
            definedBefore.formUnion(node.outputs)
        }
        let graphOutputs = Set(graph.outputs)
        var readers: [String: [(node: Int, position: Int)]] = [:]
        for (index, node) in result.nodes.enumerated() {
            for (position, input) in node.inputs.enumerated() where !input.isEmpty {
                readers[input, default: []].append((index, position))
            }
        }
        var changed = true
        while changed {
            changed = false
            for index in result.nodes.indices.reversed() where !result.nodes[index].runsWhen.isEmpty {
                let node = result.nodes[index]
                let justified = node.outputs.allSatisfy { output in
                    !graphOutputs.contains(output) && (readers[output] ?? []).allSatisfy { reader in
                        takes(result.nodes[reader.node], at: reader.position, under: node.runsWhen)
                    }
                }
                if !justified {
                    result.nodes[index].runsWhen = []
                    changed = true
                }
            }
        }
        return result
    }

    /// Whether the value of `condition` (a bool of one element) holds the `whenTrue` it names.
    /// - Precondition: `tensor` is a bool tensor of at least one element.
    public static func holds(_ condition: RunCondition, _ tensor: Tensor) -> Bool {
        tensor.withUnsafeBytes { ($0[0] != 0) == condition.whenTrue }
    }

    private static func isCondition(_ value: String, _ graph: Graph, _ defined: Set<String>) -> Bool {
        guard defined.contains(value), let type = graph.types[value] else { return false }
        return type.dtype == .bool && type.shape.elementCount == 1
    }

    /// Whether `reader`, reading a guarded value at `position`, only uses it when `conditions` hold.
    private static func takes(_ reader: Node, at position: Int, under conditions: [RunCondition]) -> Bool {
        let own = Set(reader.runsWhen)
        if conditions.allSatisfy(own.contains) { return true }
        guard reader.op == .where, position == 1 || position == 2,
              let choice = conditions.first(where: { $0.value == reader.inputs[0] && $0.whenTrue == (position == 1) }),
              reader.inputs[1] != reader.inputs[2] else { return false }
        return conditions.allSatisfy { $0 == choice || own.contains($0) }
    }
}
