// The subgraphs a node holds (If branches, Loop and Scan bodies) and what they read: the
// ordering, liveness and run-time-operand walks follow these reads as implicit inputs.

extension OnnxNode {
    /// The graphs among the node's attributes.
    public var subgraphs: [OnnxGraph] {
        attributes.values.flatMap { attribute -> [OnnxGraph] in
            switch attribute {
            case .graph(let graph): return [graph]
            case .graphs(let graphs): return graphs
            default: return []
            }
        }
    }

    /// Every name read inside the node's subgraphs, at any depth (their own names included).
    public var subgraphReads: [String] {
        subgraphs.flatMap { graph in
            graph.nodes.flatMap { $0.inputs + $0.subgraphReads } + graph.outputs.map(\.name)
        }
    }
}

extension Array where Element == OnnxNode {
    /// These nodes and, after each, the nodes of its subgraphs, at any depth.
    public var withSubgraphNodes: [OnnxNode] {
        flatMap { node in [node] + node.subgraphs.flatMap { $0.nodes.withSubgraphNodes } }
    }
}
