// The mutable side of a pass: replaces nodes in place, drops nodes, renames values and adds
// weights under fresh names, then produces the rewritten graph in one step.

import EFCore
import EFIR

/// Collects the edits of one sweep over a graph.
///
/// Every rewrite replaces the LAST node of a matched chain with the new node (so the new node
/// sits after everything its inputs need, and before every reader of its output) and drops the
/// chain's other nodes; the chain's interior values simply disappear.
struct GraphRewriter {
    private(set) var graph: Graph
    /// The working node list; nil marks a dropped node.
    private(set) var nodes: [Node?]
    /// Value renamings (reader inputs of `key` read `value` instead).
    private var aliases: [String: String] = [:]
    private var usedNames: UniqueNames

    init(_ graph: Graph) {
        self.graph = graph
        nodes = graph.nodes
        usedNames = UniqueNames(firstSuffix: 2)
        usedNames.formUnion(graph.types.keys)
        usedNames.formUnion(graph.nodes.map(\.name))
    }

    /// The current node at `index` (nil when dropped).
    subscript(index: Int) -> Node? { nodes[index] }

    /// Puts `node` at the position of `chain.last` and drops the other chain nodes.
    mutating func replace(chain: [Int], with node: Node) {
        guard let last = chain.max() else { return }
        for index in chain { nodes[index] = nil }
        nodes[last] = node
    }

    /// Drops the node at `index` and lets its readers read `replacement` instead of `value`.
    mutating func bypass(_ index: Int, value: String, with replacement: String) {
        nodes[index] = nil
        aliases[value] = replacement
    }

    /// Drops the node at `index` (its outputs must be unused or become weights).
    mutating func drop(_ index: Int) { nodes[index] = nil }

    /// A value or node name not used yet, derived from `base`.
    mutating func freshName(_ base: String) -> String {
        usedNames.fresh(base)
    }

    /// Adds a constant under a fresh name derived from `base` and returns the name.
    mutating func addWeight(_ tensor: Tensor, named base: String) -> String {
        let name = freshName(base)
        setWeight(tensor, as: name)
        return name
    }

    /// Makes `name` a weight holding `tensor` (typed from the tensor).
    mutating func setWeight(_ tensor: Tensor, as name: String) {
        usedNames.insert(name)
        graph.weights[name] = tensor
        graph.types[name] = TensorType(tensor.dtype, tensor.shape)
    }

    /// The rewritten graph: surviving nodes in order, aliases resolved (graph outputs keep
    /// their names: callers never alias a graph output away).
    func finish() -> Graph {
        var result = graph
        func resolve(_ value: String) -> String {
            var current = value, steps = 0
            while let next = aliases[current], steps < aliases.count {
                current = next
                steps += 1
            }
            return current
        }
        result.nodes = nodes.compactMap { node in
            guard var node else { return nil }
            if !aliases.isEmpty {
                node.inputs = node.inputs.map { $0.isEmpty ? $0 : resolve($0) }
                for index in node.runsWhen.indices { node.runsWhen[index].value = resolve(node.runsWhen[index].value) }
            }
            return node
        }
        return result
    }
}
