// Clip recognition: the importer lowers Clip to `binary max(x, lo)` then `binary min(·, hi)`.
// Such a pair (either order) with scalar constant bounds, or a lone max / min with one, becomes
// `unary clip` (alpha = lo, beta = hi), or `unary relu` when lo = 0 and hi = +inf.

import EFCore
import EFIR
import EFKernels

enum ClipRecognition {
    static func run(_ graph: Graph) -> PassOutcome {
        let index = GraphIndex(graph)
        var rewriter = GraphRewriter(graph)
        var recognized = 0
        for position in graph.nodes.indices {
            guard let first = rewriter[position], let bound = scalarBound(first, index) else { continue }
            var lower = bound.isLower ? bound.value : -.infinity
            var upper = bound.isLower ? .infinity : bound.value
            var chain = [position], last = first
            if let readerIndex = index.soleReader(of: first.outputs[0]), let reader = rewriter[readerIndex],
               let second = scalarBound(reader, index), second.isLower != bound.isLower,
               second.x == first.outputs[0] {
                // min(max(x, lo), hi) is clip for any bounds; max(min(x, hi), lo) only when lo ≤ hi.
                let newLower = second.isLower ? second.value : lower, newUpper = second.isLower ? upper : second.value
                if bound.isLower || newLower <= newUpper {
                    lower = newLower
                    upper = newUpper
                    chain.append(readerIndex)
                    last = reader
                }
            }
            let clip = lower == 0 && upper == .infinity
                ? UnaryOp(.relu) : UnaryOp(.clip, UnaryParameters(alpha: lower, beta: upper))
            let node = Node(name: last.name, .unary(clip), inputs: [bound.x], outputs: last.outputs,
                            originalNames: chain.flatMap { rewriter[$0]?.originalNames ?? [] })
            rewriter.replace(chain: chain, with: node)
            recognized += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: recognized)
    }

    /// For `binary max/min(x, c)` with a float scalar constant c that does not change x's type:
    /// x, c and whether c is a lower bound (max) or an upper bound (min).
    private static func scalarBound(_ node: Node, _ index: GraphIndex) -> (x: String, value: Float, isLower: Bool)? {
        guard let fn = node.binaryFunction, fn == .max || fn == .min, node.inputs.count == 2 else { return nil }
        for (c, x) in [(node.inputs[1], node.inputs[0]), (node.inputs[0], node.inputs[1])] {
            if let value = index.scalar(c), index.constant(x) == nil,
               let type = index.graph.types[x], type.dtype.isFloatingPoint,
               index.graph.types[node.outputs[0]] == type, !value.isNaN {
                return (x, Float(value), fn == .max)
            }
        }
        return nil
    }
}
