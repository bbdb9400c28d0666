// The driver shared by the passes that turn a matched subgraph into one `unary` node:
// walk the nodes, take each self-contained, non-overlapping match whose input and output have
// one float type, and replace its chain with `unary fn(x)`.

import EFCore
import EFIR
import EFKernels

enum UnaryChainRewrite {
    /// A match: the subgraph's input, its node positions (ending at the matched node) and the fn.
    typealias Match = (x: String, chain: [Int], fn: UnaryFunction)

    static func run(_ graph: Graph, _ match: (Node, Int, PatternMatcher) -> Match?) -> PassOutcome {
        let matcher = PatternMatcher(graph)
        var rewriter = GraphRewriter(graph)
        var taken = Set<Int>()
        var recognized = 0
        for (position, node) in graph.nodes.enumerated() {
            guard let output = node.outputs.first,
                  let (x, chain, fn) = match(node, position, matcher),
                  matcher.isSelfContained(chain, final: position), taken.isDisjoint(with: chain),
                  let type = graph.types[x], type.dtype.isFloatingPoint, graph.types[output] == type
            else { continue }
            taken.formUnion(chain)
            rewriter.replace(chain: chain, with: matcher.replacement(
                for: chain, final: position, .unary(UnaryOp(fn)), inputs: [x]))
            recognized += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: recognized)
    }
}
