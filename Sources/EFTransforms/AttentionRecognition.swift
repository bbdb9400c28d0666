// Attention recognition (report only): MatMul(Q, Kᵀ) [· or / a scalar] [+ mask] →
// softmax(last axis) → MatMul(·, V). The IR has no core attention op yet, so the subgraph is
// counted for the report and left as it is.

import EFCore
import EFIR

enum AttentionRecognition {
    static func run(_ graph: Graph) -> PassOutcome {
        let matcher = PatternMatcher(graph)
        var found = 0
        for node in graph.nodes where node.op == .softmax {
            guard let output = node.outputs.first, let rank = graph.types[output]?.shape.count,
                  node.params == .softmax(axis: rank - 1),
                  let readerIndex = matcher.index.soleReader(of: output),
                  graph.nodes[readerIndex].op == .matMul, graph.nodes[readerIndex].inputs.first == output,
                  scores(node.inputs[0], matcher) else { continue }
            found += 1
        }
        return PassOutcome(graph: graph, changes: found)
    }

    /// True when `value` is Q·Kᵀ, optionally scaled by a scalar, optionally plus a mask.
    private static func scores(_ value: String, _ matcher: PatternMatcher) -> Bool {
        if let (a, b, _) = matcher.binary(value, .add) {
            return isScaledProduct(a, matcher) || isScaledProduct(b, matcher)
        }
        return isScaledProduct(value, matcher)
    }

    /// True when `value` is a matMul output, or one multiplied or divided by a scalar.
    private static func isScaledProduct(_ value: String, _ matcher: PatternMatcher) -> Bool {
        guard let node = matcher.producer(value)?.node else { return false }
        if node.op == .matMul { return true }
        guard node.isBinary(.mul) || node.isBinary(.div), node.inputs.count == 2 else { return false }
        var product: String?
        if matcher.index.scalar(node.inputs[1]) != nil { product = node.inputs[0] }
        if node.isBinary(.mul), matcher.index.scalar(node.inputs[0]) != nil { product = node.inputs[1] }
        return product.flatMap { matcher.producer($0)?.node.op } == .matMul
    }
}
