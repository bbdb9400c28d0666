// Checks the graph invariants; run after import and after every pass in debug builds.

import EFCore

/// Graph invariant checks.
public enum Verifier {
    /// Verifies topological order, single definition, types and re-inferred output types, and
    /// that every value's byte count fits in Int (so later stages may use plain element counts).
    /// - Throws: `EdgeflowError.internalError` describing the first broken invariant;
    ///   `.invalidModel` for a type whose size does not fit (`TensorType.checkSize`).
    public static func verify(_ graph: Graph) throws {
        var defined = Set<String>()
        func define(_ name: String, _ what: String) throws {
            guard !name.isEmpty else { return }
            guard defined.insert(name).inserted else {
                throw EdgeflowError(.internalError, "value '\(name)' is defined twice (\(what))")
            }
            guard let type = graph.types[name] else {
                throw EdgeflowError(.internalError, "value '\(name)' (\(what)) has no type")
            }
            try type.checkSize("value '\(name)' (\(what))")
        }
        for input in graph.inputs { try define(input, "graph input") }
        for (name, tensor) in graph.weights {
            try define(name, "weight")
            let type = graph.types[name]!
            guard type.dtype == tensor.dtype, type.shape == tensor.shape else {
                throw EdgeflowError(.internalError, "weight '\(name)' is \(tensor) but typed \(type)")
            }
        }
        var nodeNames = Set<String>()
        for node in graph.nodes {
            guard nodeNames.insert(node.name).inserted else {
                throw EdgeflowError(.internalError, "node name '\(node.name)' is used twice")
            }
            for input in node.inputs where !input.isEmpty && !defined.contains(input) {
                throw EdgeflowError(.internalError,
                    "node '\(node.name)' reads '\(input)' before it is defined (not topologically ordered or dangling)")
            }
            for output in node.outputs { try define(output, "output of \(node.name)") }
            let inputTypes = node.inputs.map { $0.isEmpty ? nil : graph.types[$0] }
            let inferred = try ShapeInference.infer(node, inputTypes: inputTypes)
            for (output, type) in zip(node.outputs, inferred) where graph.types[output] != type {
                throw EdgeflowError(.internalError,
                    "node '\(node.name)' output '\(output)' is typed \(graph.types[output]!) but infers \(type)")
            }
        }
        for output in graph.outputs where !defined.contains(output) {
            throw EdgeflowError(.internalError, "graph output '\(output)' is never defined")
        }
    }

    /// Runs `verify` in debug builds only; release builds skip the cost.
    public static func verifyInDebug(_ graph: Graph) throws {
        #if DEBUG
        try verify(graph)
        #endif
    }
}
