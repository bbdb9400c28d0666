// Constant folding: a node whose inputs are all weights is evaluated once with the reference
// evaluator and its outputs become weights. Results above the size cap stay computed at run
// time (a large broadcast of a small constant would only bloat the archive).

import EFCore
import EFIR
import EFInterpreter

enum ConstantFolding {
    static func run(_ graph: Graph, limitBytes: Int) throws -> PassOutcome {
        var rewriter = GraphRewriter(graph)
        var folded = 0
        for (index, node) in graph.nodes.enumerated() {
            let present = node.inputs.filter { !$0.isEmpty }
            guard node.params.foldsWhenConstant, !present.isEmpty,
                  present.allSatisfy({ rewriter.graph.weights[$0] != nil }),
                  outputBytes(node, graph) <= limitBytes else { continue }
            let arguments = node.inputs.map { $0.isEmpty ? nil : rewriter.graph.weights[$0] }
            let results = try NodeEvaluator.evaluate(node, inputs: arguments)
            for (name, tensor) in zip(node.outputs, results) where !name.isEmpty {
                rewriter.setWeight(tensor, as: name)
            }
            rewriter.drop(index)
            folded += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: folded)
    }

    /// Bytes of all outputs, from their declared types (Int.max when a type is missing).
    private static func outputBytes(_ node: Node, _ graph: Graph) -> Int {
        var total = 0
        for output in node.outputs where !output.isEmpty {
            guard let type = graph.types[output],
                  let count = type.shape.checkedElementCount else { return .max }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.dtype.byteSize)
            if overflow { return .max }
            total += bytes
        }
        return total
    }
}
