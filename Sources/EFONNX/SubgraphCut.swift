// Choosing the part of an ONNX graph to import. Without start/end node names: the nodes the
// graph outputs depend on (dead nodes are dropped, all graph inputs kept). With them, as the
// Hailo parser's --start-node-names / --end-node-names:
//   - the end nodes' outputs, in the order the names are given, become the graph outputs;
//   - the start nodes' inputs that are not constants (initializers or Constant outputs) become
//     the new graph inputs, followed by any original graph input the kept nodes still read;
//   - only the nodes between are kept (the start nodes included), and every start node must
//     lead to an output.

import EFCore

enum SubgraphCut {
    /// The selected graph (nodes in their sorted order), and the new inputs whose types the
    /// model does not declare statically (the importer infers them from the part before).
    static func apply(_ graph: OnnxGraph, options: ImportOptions) throws -> (graph: OnnxGraph, untypedInputs: [String]) {
        let startNodes = try resolve(options.startNodeNames, in: graph, role: "start")
        let endNodes = try resolve(options.endNodeNames, in: graph, role: "end")
        let declared = declaredTypes(graph)
        let outputs = endNodes.isEmpty
            ? graph.outputs
            : endNodes.flatMap { graph.nodes[$0].outputs.filter { !$0.isEmpty } }.map { declared[$0] ?? valueInfo($0) }

        let initializers = Set(graph.initializers.map(\.name))
        let constantOutputs = Set(graph.nodes.filter { $0.opType == "Constant" && $0.domain.isEmpty }.flatMap(\.outputs))
        var cutValues: [String] = []
        for index in startNodes {
            for input in graph.nodes[index].inputs where !input.isEmpty && !initializers.contains(input)
                && !constantOutputs.contains(input) && !cutValues.contains(input) {
                cutValues.append(input)
            }
        }
        let live = GraphOrdering.liveSubgraph(graph, outputs: outputs.map(\.name), cutValues: Set(cutValues))
        let liveSet = Set(live.nodes)
        for index in startNodes where !liveSet.contains(index) {
            throw EdgeflowError(.invalidArgument,
                "start node '\(graph.nodes[index].displayName)' does not lead to any of the outputs "
                    + outputs.map { "'\($0.name)'" }.joined(separator: ", "),
                hint: "start nodes must lie before the end nodes")
        }

        var result = graph
        result.nodes = live.nodes.map { graph.nodes[$0] }
        result.outputs = outputs
        guard !startNodes.isEmpty || !endNodes.isEmpty else { return (result, []) }
        let newInputs = cutValues.filter { live.cutValuesReached.contains($0) }
        result.inputs = newInputs.map { declared[$0] ?? valueInfo($0) }
            + graph.inputs.filter { live.inputsReached.contains($0.name) && !newInputs.contains($0.name) }
        let untyped = newInputs.filter { name in
            guard let info = declared[name], info.kind == .tensor, info.elemType != 0 else { return true }
            let isStatic = info.dims?.allSatisfy { if case .value(let v) = $0 { return v >= 0 } else { return false } } ?? false
            return !isStatic && options.inputShapes[name] == nil
        }
        return (result, untyped)
    }

    /// The value infos the model declares (value_info, inputs, outputs), by name.
    static func declaredTypes(_ graph: OnnxGraph) -> [String: OnnxValueInfo] {
        var table: [String: OnnxValueInfo] = [:]
        for info in graph.valueInfo + graph.outputs + graph.inputs where info.kind != .undeclared {
            table[info.name] = info
        }
        return table
    }

    private static func valueInfo(_ name: String) -> OnnxValueInfo {
        var info = OnnxValueInfo()
        info.name = name
        info.kind = .undeclared
        return info
    }

    /// Node indices for user-given names (node name, or first output of an unnamed node).
    /// - Throws: `EdgeflowError.invalidArgument` listing every unknown name with near matches.
    private static func resolve(_ names: [String], in graph: OnnxGraph, role: String) throws -> [Int] {
        guard !names.isEmpty else { return [] }
        var byName: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated().reversed() { byName[node.displayName] = index }
        var indices: [Int] = [], unknown: [String] = []
        for name in names {
            if let index = byName[name] { indices.append(index) } else { unknown.append(name) }
        }
        guard unknown.isEmpty else {
            let known = Array(byName.keys)
            let details = unknown.map { "'\($0)'" + NameSuggestions.didYouMean($0, in: known) }
            throw EdgeflowError(.invalidArgument,
                "unknown \(role) node name\(unknown.count > 1 ? "s" : "") " + details.joined(separator: ", "),
                hint: "name nodes by their ONNX node name (or the first output of an unnamed node), "
                    + "as Netron shows them")
        }
        return indices
    }
}
