// Imports a subgraph (an If branch) in place of the node that holds it: its initializers become
// constants, its nodes are imported one by one with the op importers, and the node's outputs
// become the subgraph's outputs. Names the subgraph defines that are already taken in the
// enclosing graph are renamed (also where nested subgraphs read them); names it reads from the
// enclosing scope resolve to the values imported there.

import EFCore

enum SubgraphInlining {
    /// - Throws: `EdgeflowError.invalidModel` when the subgraph's outputs do not match the node's;
    ///   errors of the nested nodes' importers, prefixed with the node.
    static func inline(_ subgraph: OnnxGraph, replacing node: OnnxNode, into context: ImportContext) throws {
        guard subgraph.outputs.count == node.outputs.count else {
            throw EdgeflowError(.invalidModel, "\(node.opType) '\(node.displayName)' has \(node.outputs.count) outputs "
                                    + "but its subgraph '\(subgraph.name)' \(subgraph.outputs.count)")
        }
        var renames: [String: String] = [:]
        func define(_ name: String) -> String {
            guard !name.isEmpty else { return name }
            guard context.isTaken(name) else {
                context.reserveNames([name])
                return name
            }
            let fresh = context.freshName(name)
            renames[name] = fresh
            return fresh
        }
        for initializer in subgraph.initializers {
            context.addWeight(define(initializer.name), try initializer.toTensor(baseDirectory: context.baseDirectory))
        }
        for original in subgraph.nodes {  // ONNX keeps subgraph nodes in topological order
            var inner = original
            inner.inputs = inner.inputs.map { renames[$0] ?? $0 }
            inner.outputs = inner.outputs.map(define)
            inner.attributes = inner.attributes.mapValues { renamedReads($0, renames) }
            guard let importer = OpImporterRegistry.importers[inner.opType], inner.domain.isEmpty
                    || inner.domain == "ai.onnx" else {
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
        for (outer, inner) in zip(node.outputs, subgraph.outputs) where !outer.isEmpty {
            let value = context.value(renames[inner.name] ?? inner.name)
            guard (try? context.type(value)) != nil else {
                throw EdgeflowError(.invalidModel, "\(node.opType) '\(node.displayName)': its subgraph's output "
                                        + "'\(inner.name)' is never computed")
            }
            context.alias(outer, to: value)
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
        // Names the nested graph defines itself shadow nothing (ONNX names are unique), so only
        // reads of renamed enclosing names change.
        var graph = graph
        for index in graph.nodes.indices {
            graph.nodes[index].inputs = graph.nodes[index].inputs.map { renames[$0] ?? $0 }
            graph.nodes[index].attributes = graph.nodes[index].attributes.mapValues { renamedReads($0, renames) }
        }
        for index in graph.outputs.indices { graph.outputs[index].name = renames[graph.outputs[index].name]
                                                 ?? graph.outputs[index].name }
        return graph
    }
}
