// Imports a subgraph (an If branch, one iteration of a Loop or Scan body) in place of the node
// that holds it: its inputs are bound to values of the enclosing graph, its initializers become
// constants, its nodes are imported one by one with the op importers, and the values of its
// outputs are handed back. Names it defines are renamed when taken in the enclosing graph, or
// always under a `scope` (a body imported once per iteration); nested subgraphs see the renames.
// Names it reads from the enclosing scope resolve to the values imported there.

import EFCore

enum SubgraphInlining {
    /// Imports `subgraph` for `node` and returns the IR values of its outputs, in order.
    /// - Parameters:
    ///   - bindings: IR values for the subgraph's inputs, in order (a body's iteration number,
    ///     condition, state, scan slices); If branches have none.
    ///   - scope: when given, every name the subgraph defines gets a fresh name under it.
    /// - Throws: `EdgeflowError.invalidModel` when the inputs or outputs do not fit; errors of the
    ///   nested nodes' importers, prefixed with the node.
    static func inline(_ subgraph: OnnxGraph, bindings: [String] = [], scope: String? = nil,
                       for node: OnnxNode, into context: ImportContext) throws -> [String] {
        let initializerNames = Set(subgraph.initializers.map(\.name))
        let declaredInputs = subgraph.inputs.filter { !initializerNames.contains($0.name) }
        guard declaredInputs.count == bindings.count else {
            throw EdgeflowError(.invalidModel, "\(node.opType) '\(node.displayName)': its subgraph '\(subgraph.name)' "
                                    + "takes \(declaredInputs.count) inputs, \(bindings.count) given")
        }
        var renames: [String: String] = [:]
        func define(_ name: String) -> String {
            guard !name.isEmpty else { return name }
            if scope == nil, !context.isTaken(name) {
                context.reserveNames([name])
                return name
            }
            let fresh = context.freshName(scope.map { "\($0)/\(name)" } ?? name)
            renames[name] = fresh
            return fresh
        }
        for (input, value) in zip(declaredInputs, bindings) { context.alias(define(input.name), to: value) }
        for initializer in subgraph.initializers {
            context.addWeight(define(initializer.name), try initializer.toTensor(baseDirectory: context.baseDirectory))
        }
        for original in subgraph.nodes {  // ONNX keeps subgraph nodes in topological order
            var inner = original
            inner.inputs = inner.inputs.map { renames[$0] ?? $0 }
            inner.outputs = inner.outputs.map(define)
            inner.attributes = inner.attributes.mapValues { renamedReads($0, renames) }
            try importNested(inner, in: node, context)
        }
        return try subgraph.outputs.map { output in
            let value = context.value(renames[output.name] ?? output.name)
            guard (try? context.type(value)) != nil else {
                throw EdgeflowError(.invalidModel, "\(node.opType) '\(node.displayName)': its subgraph's output "
                                        + "'\(output.name)' is never computed")
            }
            return value
        }
    }

    private static func importNested(_ inner: OnnxNode, in node: OnnxNode, _ context: ImportContext) throws {
        guard let importer = OpImporterRegistry.importer(for: inner) else {
            throw EdgeflowError(.unsupported, "\(node.opType) '\(node.displayName)': its subgraph uses "
                                    + "\(inner.opType) ('\(inner.displayName)'), which Edgeflow does not support")
        }
        do {
            try importer(inner, context)
        } catch let failure as NonConstantOperand {
            throw failure
        } catch let error as EdgeflowError {
            throw error.prefixed("\(node.opType) '\(node.displayName)' → \(inner.opType) '\(inner.displayName)'")
        }
    }

    /// A nested subgraph attribute with the enclosing renames applied to the names it reads.
    private static func renamedReads(_ attribute: OnnxAttribute, _ renames: [String: String]) -> OnnxAttribute {
        guard !renames.isEmpty else { return attribute }
        switch attribute {
        case .graph(let graph): return .graph(renamedReads(graph, renames))
        case .graphs(let graphs): return .graphs(graphs.map { renamedReads($0, renames) })
        default: return attribute
        }
    }

    private static func renamedReads(_ graph: OnnxGraph, _ renames: [String: String]) -> OnnxGraph {
        // Only reads of renamed enclosing names change; a nested graph's own names are its own.
        let own = Set(graph.nodes.flatMap(\.outputs) + graph.inputs.map(\.name) + graph.initializers.map(\.name))
        let outer = renames.filter { !own.contains($0.key) }
        var graph = graph
        for index in graph.nodes.indices {
            graph.nodes[index].inputs = graph.nodes[index].inputs.map { outer[$0] ?? $0 }
            graph.nodes[index].attributes = graph.nodes[index].attributes.mapValues { renamedReads($0, outer) }
        }
        for index in graph.outputs.indices {
            graph.outputs[index].name = outer[graph.outputs[index].name] ?? graph.outputs[index].name
        }
        return graph
    }
}
