// Validation and ordering of an ONNX graph's nodes: every value defined once, no dangling
// reads, no cycles, nodes in topological order; and the live part of a graph (the nodes an
// output depends on), which also implements subgraph cuts.

import EFCore

enum GraphOrdering {
    /// The graph with its nodes topologically ordered (a stable order when already sorted).
    /// - Throws: `EdgeflowError.invalidModel` for a value defined twice, a node input nothing
    ///   produces (naming node and value), or a cycle (naming the nodes on it).
    static func sorted(_ graph: OnnxGraph) throws -> OnnxGraph {
        let nodes = graph.nodes
        var defined = Set(graph.inputs.map(\.name))
        defined.formUnion(graph.initializers.map(\.name))
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty {
                if let first = producer[output] {
                    throw EdgeflowError(.invalidModel,
                        "value '\(output)' is produced twice: by \(describe(nodes[first])) and by \(describe(node))")
                }
                if defined.contains(output) {
                    throw EdgeflowError(.invalidModel,
                        "\(describe(node)) produces '\(output)', which is already a graph input or initializer")
                }
                producer[output] = index
            }
        }
        var dangling: [String] = []
        for node in nodes {
            for input in node.inputs where !input.isEmpty && producer[input] == nil && !defined.contains(input) {
                dangling.append("\(describe(node)) reads '\(input)'")
            }
        }
        if !dangling.isEmpty {
            throw EdgeflowError(.invalidModel,
                dangling.prefix(5).joined(separator: "; ")
                    + (dangling.count > 5 ? "; and \(dangling.count - 5) more" : "")
                    + ", which no node, initializer or graph input produces",
                hint: "the model is incomplete; re-export it, or check --start-node-names/--end-node-names")
        }
        var result = graph
        result.nodes = try topologicalOrder(nodes, producer: producer).map { nodes[$0] }
        return result
    }

    /// Kahn's algorithm over node indices; returns the original order when it is already valid.
    private static func topologicalOrder(_ nodes: [OnnxNode], producer: [String: Int]) throws -> [Int] {
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        var alreadySorted = true
        for (index, node) in nodes.enumerated() {
            // A node with subgraphs (If, Loop, Scan) also depends on the outer values they read.
            for input in node.inputs + node.subgraphReads where !input.isEmpty {
                guard let source = producer[input], source != index else { continue }
                pending[index] += 1
                consumers[source].append(index)
                if source >= index { alreadySorted = false }
            }
        }
        if alreadySorted { return Array(nodes.indices) }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var ready = nodes.indices.filter { pending[$0] == 0 }
        var next = 0
        while next < ready.count {
            let index = ready[next]
            next += 1
            order.append(index)
            for consumer in consumers[index] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { ready.append(consumer) }
            }
        }
        guard order.count == nodes.count else {
            throw cycleError(nodes, producer: producer, stuck: Set(nodes.indices.filter { pending[$0] > 0 }))
        }
        return order
    }

    /// Names one cycle among the nodes Kahn's algorithm could not order. Each stuck node reads a
    /// value from another stuck node, so following such reads must revisit a node.
    private static func cycleError(_ nodes: [OnnxNode], producer: [String: Int], stuck: Set<Int>) -> EdgeflowError {
        var path: [Int] = []
        var position: [Int: Int] = [:]
        var current = stuck.min() ?? 0
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            let reads = nodes[current].inputs.compactMap { producer[$0] }
            guard let next = reads.first(where: { stuck.contains($0) }) else { break }
            current = next
        }
        let cycle = path[(position[current] ?? 0)...].reversed().map { "'\(nodes[$0].displayName)'" }
        return EdgeflowError(.invalidModel,
            "the graph has a cycle: " + (cycle + [cycle.first ?? ""]).joined(separator: " → "),
            hint: "ONNX graphs must be acyclic; the model file is broken")
    }

    static func describe(_ node: OnnxNode) -> String { "\(node.opType) node '\(node.displayName)'" }

    /// The part of a sorted graph that `outputs` depend on, stopping at `cutValues`.
    /// - Returns: indices of the live nodes (in graph order), the cut values reached, and the
    ///   graph inputs reached.
    static func liveSubgraph(_ graph: OnnxGraph, outputs: [String], cutValues: Set<String>)
        -> (nodes: [Int], cutValuesReached: Set<String>, inputsReached: Set<String>) {
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = index }
        }
        let inputNames = Set(graph.inputs.map(\.name))
        var liveNodes = Set<Int>(), seen = Set<String>()
        var cutReached = Set<String>(), inputsReached = Set<String>()
        var stack = outputs
        while let value = stack.popLast() {
            guard !value.isEmpty, seen.insert(value).inserted else { continue }
            if cutValues.contains(value) {
                cutReached.insert(value)
            } else if let index = producer[value] {
                if liveNodes.insert(index).inserted {
                    let node = graph.nodes[index]
                    stack.append(contentsOf: node.inputs + node.subgraphReads)
                }
            } else if inputNames.contains(value) {
                inputsReached.insert(value)
            }
        }
        return (liveNodes.sorted(), cutReached, inputsReached)
    }
}
