// Lowers a selected, sorted ONNX graph onto the core op set: declares inputs (static types or
// frozen constants), converts the initializers that are read, runs each node's importer in
// order, makes every graph output exist under its ONNX name, and drops what no output needs.

import EFCore
import EFIR
import Foundation

struct GraphBuilder {
    let model: OnnxModel
    let graph: OnnxGraph
    let baseDirectory: URL?
    let inputShapes: [String: [Int]]
    let frozen: [String: Tensor]

    /// - Throws: `NonConstantOperand` unchanged (the caller may freeze inputs and retry), every
    ///   other failure as an `EdgeflowError` naming the node.
    func build() throws -> Graph {
        for output in graph.outputs where !output.isTensor {
            throw EdgeflowError(.unsupported, "graph output '\(output.name)' is a \(output.kind.rawValue); "
                                    + "Edgeflow supports tensors only")
        }
        let context = ImportContext(opset: model.defaultOpset)
        context.baseDirectory = baseDirectory
        context.reserveNames(graph.inputs.map(\.name))
        context.reserveNames(graph.initializers.map(\.name))
        context.reserveNames(graph.nodes.flatMap(\.outputs))

        let initializerNames = Set(graph.initializers.map(\.name))
        let inputs = graph.inputs.filter { !initializerNames.contains($0.name) }
        let runTimeInputs = inputs.filter { frozen[$0.name] == nil }
        let inputTypes = try InputTypes.resolve(runTimeInputs, shapes: inputShapes)
        for info in inputs {
            if let tensor = frozen[info.name] {
                try InputTypes.checkFrozen(tensor, for: info)
                context.addWeight(info.name, tensor)
            } else if let type = inputTypes[info.name] {
                context.addInput(info.name, type)
            }
        }
        let read = Set(graph.nodes.flatMap { $0.inputs + $0.subgraphReads } + graph.outputs.map(\.name))
        var converted = Set<String>()
        var initializerBytes = 0
        for initializer in graph.initializers where read.contains(initializer.name) {
            guard converted.insert(initializer.name).inserted else {
                throw EdgeflowError(.invalidModel, "initializer '\(initializer.name)' is defined twice")
            }
            let tensor = try initializer.toTensor(baseDirectory: baseDirectory)
            context.addWeight(initializer.name, tensor)
            initializerBytes = initializerBytes &+ tensor.byteCount
        }
        let growth = initializerBytes.multipliedReportingOverflow(by: ImportContext.foldGrowthFactor)
        let limit = ImportContext.generatedBaseLimitBytes.addingReportingOverflow(growth.partialValue)
        context.generatedLimitBytes = growth.overflow || limit.overflow ? Int.max : limit.partialValue
        for node in graph.nodes { try GraphBuilder.importNode(node, into: context, read: read) }
        let outputs = try GraphBuilder.declareOutputs(graph.outputs.map(\.name), in: context)

        let result = Graph(name: graph.name, inputs: runTimeInputs.map(\.name), outputs: outputs,
                           nodes: context.nodes, types: context.types, weights: context.weights,
                           metadata: model.metadata)
        let live = GraphBuilder.withoutUnusedValues(result)
        try Verifier.verifyInDebug(live)
        return live
    }

    /// Runs `node`'s importer; an output that is in `read` (nil: every output) must exist after.
    static func importNode(_ node: OnnxNode, into context: ImportContext, read: Set<String>?) throws {
        let what = GraphOrdering.describe(node)
        guard let importer = OpImporterRegistry.importer(for: node) else {
            throw EdgeflowError(.internalError, "no importer for \(what) after the support check")
        }
        do {
            try importer(node, context)
        } catch let failure as NonConstantOperand {
            throw failure
        } catch let error as EdgeflowError {
            throw error.message.contains("'\(node.displayName)'") ? error : error.prefixed(what)
        } catch {
            throw EdgeflowError(.internalError, "\(what): \(error)")
        }
        for output in node.outputs where !output.isEmpty && read?.contains(output) ?? true {
            guard context.types[context.value(output)] != nil else {
                throw EdgeflowError(.unsupported, "\(what): its output '\(output)' is used but was not produced",
                                    hint: "this optional output is not supported by the importer")
            }
        }
    }

    /// Makes each graph output a value of its own ONNX name: aliases get an identity node
    /// (constants a copy of the weight). Returns the output names.
    static func declareOutputs(_ names: [String], in context: ImportContext) throws -> [String] {
        var declared = Set<String>()
        for name in names where declared.insert(name).inserted {
            let value = context.value(name)
            guard context.types[value] != nil else {
                throw EdgeflowError(.invalidModel,
                                    "graph output '\(name)' is not produced by any node, initializer or input")
            }
            guard value != name else { continue }
            if let constant = context.constant(value) {
                context.addWeight(name, constant)
            } else {
                var source = OnnxNode()
                source.name = "\(name)/output"
                source.opType = "Identity"
                source.outputs = [name]
                try context.emit(.unary, [value], ["fn": .string("identity")], outputs: [name], from: source)
            }
        }
        return names.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The graph without nodes and weights no output depends on (folded intermediates, dead
    /// branches, originals of folded weights). Graph inputs are kept even when unused.
    static func withoutUnusedValues(_ graph: Graph) -> Graph {
        var needed = Set(graph.outputs)
        var kept: [Node] = []
        for node in graph.nodes.reversed() where node.outputs.contains(where: needed.contains) {
            kept.append(node)
            needed.formUnion(node.reads)
        }
        var result = graph
        result.nodes = kept.reversed()
        result.weights = graph.weights.filter { needed.contains($0.key) }
        let defined = Set(graph.inputs).union(result.weights.keys).union(result.nodes.flatMap(\.outputs))
        result.types = graph.types.filter { defined.contains($0.key) }
        return result
    }
}
