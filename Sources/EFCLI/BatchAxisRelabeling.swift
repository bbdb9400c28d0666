// Makes an ONNX model exported for one item take a batch: dim 0 of its inputs and outputs, where
// fixed at 1, becomes the symbolic "batch" (as Immich's `update_inputs_outputs_dims` does to
// ArcFace models), and a constant Reshape target that starts with 1 starts with the batch instead
// (CLIP image towers exported from PyTorch fix their 25 Reshapes at batch 1). A guess about the
// graph, not a proof: the caller compares the batch executable with single runs before using it.

import EFCore
import EFONNX

enum BatchAxisRelabeling {
    /// Relabels `graph`'s batch axis and rewrites its constant Reshape targets for `batch` items;
    /// intermediate value_info (which repeats the fixed batch) is dropped.
    static func relabel(_ graph: inout OnnxGraph, batch: Int) {
        let initializers = Set(graph.initializers.map(\.name))
        func relabel(_ values: inout [OnnxValueInfo]) {
            for index in values.indices where !initializers.contains(values[index].name) {
                if case .value(1)? = values[index].dims?.first { values[index].dims?[0] = .param("batch") }
            }
        }
        relabel(&graph.inputs)
        relabel(&graph.outputs)
        graph.valueInfo = []
        rewriteReshapeTargets(&graph, batch: batch)
    }

    /// Every int64 [n] constant read only as a Reshape's target shape, whose first entry is 1,
    /// gets `batch` there (an initializer or a Constant node's `value`).
    private static func rewriteReshapeTargets(_ graph: inout OnnxGraph, batch: Int) {
        var targets = Set(graph.nodes.filter { $0.opType == "Reshape" && $0.inputs.count > 1 }.map { $0.inputs[1] })
        for node in graph.nodes where node.opType != "Reshape" {
            targets.subtract(node.inputs)
        }
        for node in graph.nodes where node.opType == "Reshape" {
            targets.remove(node.inputs[0])
        }
        for index in graph.initializers.indices where targets.contains(graph.initializers[index].name) {
            rewrite(&graph.initializers[index], batch: batch)
        }
        for index in graph.nodes.indices where graph.nodes[index].opType == "Constant" {
            guard let output = graph.nodes[index].outputs.first, targets.contains(output),
                  case .tensor(var tensor)? = graph.nodes[index].attributes["value"] else { continue }
            rewrite(&tensor, batch: batch)
            graph.nodes[index].attributes["value"] = .tensor(tensor)
        }
    }

    /// `tensor` with its first value set to `batch` when it is an int64 [n] starting with 1.
    private static func rewrite(_ tensor: inout OnnxTensor, batch: Int) {
        guard tensor.dataType == 7 /* int64 */, tensor.dims.count == 1, tensor.externalData.isEmpty,
              var values = try? tensor.toTensor(baseDirectory: nil).scalars(as: Int64.self),
              values.first == 1 else { return }
        values[0] = Int64(batch)
        tensor.rawData = nil
        tensor.int64Data = values
    }
}
