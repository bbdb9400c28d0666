// The ONNX front end's entry point: read a model, check versions, order and cut the graph,
// refuse unsupported ops all at once, then lower every node onto the core op set
// (GraphBuilder), freezing inputs on demand when the caller allows it.

import EFCore
import EFIR
import Foundation

/// Imports ONNX models into Edgeflow graphs with static shapes.
public enum ONNXImporter {
    /// The ai.onnx opset versions accepted. Op importers implement each op's semantics for the
    /// versions in this range.
    public static let supportedOpsets = 1...28

    /// Reads and imports an `.onnx` file. External tensor data is looked up beside the file.
    /// - Throws: `EdgeflowError` — `.io` when the file cannot be read, `.invalidModel` for
    ///   corrupt or inconsistent models, `.unsupported` for ops, types or dynamic shapes Edgeflow
    ///   does not handle (all unsupported ops are listed in one error), `.invalidArgument` for
    ///   options that do not fit the model.
    public static func importModel(at url: URL, options: ImportOptions = ImportOptions()) throws -> Graph {
        let model = try OnnxModel(contentsOf: url)
        return try importModel(model, baseDirectory: url.deletingLastPathComponent(), options: options)
    }

    /// Imports a decoded model.
    /// - Parameter baseDirectory: where external tensor data lives (the model file's directory);
    ///   nil when the model did not come from a file.
    /// - Throws: as `importModel(at:options:)`.
    public static func importModel(_ model: OnnxModel, baseDirectory: URL?,
                                   options: ImportOptions = ImportOptions()) throws -> Graph {
        try checkVersions(model)
        guard model.graph.sparseInitializerNames.isEmpty else {
            throw EdgeflowError(.unsupported, "the model has sparse initializers ("
                + model.graph.sparseInitializerNames.joined(separator: ", ") + "), which Edgeflow does not read")
        }
        try GraphValidation.check(model.graph)
        let sorted = try GraphOrdering.sorted(model.graph)
        var (graph, untypedInputs) = try SubgraphCut.apply(sorted, options: options)
        let initializers = Set(sorted.initializers.map(\.name))
        let inputNames = (graph.inputs + sorted.inputs).map(\.name).filter { !initializers.contains($0) }
        let uniqueInputNames = inputNames.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        try InputTypes.checkNames(options, inputs: uniqueInputNames)
        let unsupported = unsupportedOperators(graph.nodes, opsets: model.opsetImports)
        guard unsupported.isEmpty else {
            throw EdgeflowError(.unsupported,
                "the model uses \(unsupported.count) op\(unsupported.count > 1 ? "s" : "") Edgeflow does not support: "
                    + unsupported.map(\.description).joined(separator: "; "),
                hint: "if they are pre- or post-processing, cut them off with --start-node-names / --end-node-names")
        }
        if !untypedInputs.isEmpty {
            let types = try inferTypes(of: untypedInputs, upstream: sorted, model: model,
                                       baseDirectory: baseDirectory, options: options)
            for index in graph.inputs.indices {
                guard let type = types[graph.inputs[index].name] else { continue }
                graph.inputs[index].kind = .tensor
                graph.inputs[index].elemType = OnnxDataType.code(type.dtype)
                graph.inputs[index].dims = type.shape.map { .value($0) }
            }
        }
        var frozen = options.frozenInputs
        while true {
            do {
                return try GraphBuilder(model: model, graph: graph, baseDirectory: baseDirectory,
                                        inputShapes: options.inputShapes, frozen: frozen).build()
            } catch let failure as NonConstantOperand {
                let sources = RunTimeOperands.graphInputs(feeding: failure.value, in: graph,
                                                          excluding: Set(frozen.keys))
                guard !sources.isEmpty, sources.allSatisfy({ options.freezableInputs[$0] != nil }) else {
                    throw RunTimeOperands.error(failure, sources: sources, in: graph)
                }
                for name in sources { frozen[name] = options.freezableInputs[name] }
            }
        }
    }

    /// One unsupported (domain, op type) with where it is used.
    public struct UnsupportedOperator: CustomStringConvertible, Sendable {
        /// "" for the default ai.onnx domain.
        public var domain: String
        public var opType: String
        /// The opset version the model imports for the domain (0 when it imports none).
        public var opset: Int
        /// Display names of the nodes using it.
        public var nodes: [String]

        /// `Attention` or `com.microsoft.FusedConv`.
        public var qualifiedName: String { domain.isEmpty ? opType : "\(domain).\(opType)" }

        public var description: String {
            let shown = nodes.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            let more = nodes.count > 3 ? " and \(nodes.count - 3) more" : ""
            let version = domain.isEmpty ? "opset \(opset)" : "domain \(domain) version \(opset)"
            return "\(qualifiedName) (\(version); node\(nodes.count > 1 ? "s" : "") \(shown)\(more))"
        }
    }

    /// Every (domain, op type) among `nodes` with no importer, in order of first use. Ops of any
    /// domain other than ai.onnx and ai.edgeflow are unsupported.
    public static func unsupportedOperators(_ nodes: [OnnxNode], opsets: [String: Int]) -> [UnsupportedOperator] {
        var found: [UnsupportedOperator] = []
        var position: [String: Int] = [:]
        for node in nodes.withSubgraphNodes {
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            if OpImporterRegistry.importer(for: node) != nil { continue }
            let key = "\(domain)|\(node.opType)"
            if let index = position[key] {
                found[index].nodes.append(node.displayName)
            } else {
                position[key] = found.count
                let opset = opsets[domain] ?? (domain.isEmpty ? opsets["ai.onnx"] : nil) ?? 0
                found.append(UnsupportedOperator(domain: domain, opType: node.opType, opset: opset,
                                                 nodes: [node.displayName]))
            }
        }
        return found
    }

    private static func checkVersions(_ model: OnnxModel) throws {
        guard model.irVersion != 0 || !model.graph.nodes.isEmpty else {
            throw EdgeflowError(.invalidModel, "not an ONNX model: it has neither an IR version nor a graph")
        }
        guard model.irVersion >= 3 else {
            throw EdgeflowError(.unsupported, "the model has IR version \(model.irVersion), older than IR 3 (ONNX 1.0)",
                                hint: "re-export the model with a current exporter")
        }
        let opset = model.defaultOpset
        guard supportedOpsets.contains(opset) else {
            throw EdgeflowError(.unsupported,
                "the model imports ai.onnx opset \(opset); Edgeflow imports opsets "
                    + "\(supportedOpsets.lowerBound)–\(supportedOpsets.upperBound)",
                hint: "convert it with onnx.version_converter.convert_version(model, 17) "
                    + "or re-export it with that opset")
        }
    }

    /// Types of cut-off values, found by importing the part of the graph that computes them.
    private static func inferTypes(of names: [String], upstream: OnnxGraph, model: OnnxModel, baseDirectory: URL?,
                                   options: ImportOptions) throws -> [String: TensorType] {
        var front = model
        front.graph = upstream
        front.graph.outputs = names.map { name in
            var info = OnnxValueInfo()
            info.name = name
            return info
        }
        let original = Set(upstream.inputs.map(\.name))
        let frontOptions = ImportOptions(inputShapes: options.inputShapes.filter { original.contains($0.key) },
                                         frozenInputs: options.frozenInputs.filter { original.contains($0.key) },
                                         freezableInputs: options.freezableInputs)
        do {
            let graph = try importModel(front, baseDirectory: baseDirectory, options: frontOptions)
            return graph.types.filter { names.contains($0.key) }
        } catch let error as EdgeflowError {
            throw EdgeflowError(error.kind,
                "cannot infer the types of the start nodes' inputs " + names.map { "'\($0)'" }.joined(separator: ", ")
                    + " from the graph before them: \(error.message)",
                hint: error.hint ?? "give their shapes with --input-shape")
        }
    }
}
