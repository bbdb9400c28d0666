// HardSwish recognition: x · hardSigmoid(x; 1/6, 0.5) (PP-OCR's export), x · (relu6(x + 3) / 6)
// and x · relu6(x + 3) / 6, where relu6 is `unary clip` 0..6 (run ClipRecognition first),
// become `unary hardSwish`.

import EFCore
import EFIR

enum HardSwishRecognition {
    static func run(_ graph: Graph) -> PassOutcome {
        UnaryChainRewrite.run(graph) { node, position, matcher in
            match(node, at: position, matcher).map { (x: $0.0, chain: $0.1, fn: .hardSwish) }
        }
    }

    /// x and the chain's node positions when `node` ends a hardSwish subgraph.
    private static func match(_ node: Node, at position: Int, _ matcher: PatternMatcher) -> (String, [Int])? {
        // x · gate(x), gate = hardSigmoid(x) or relu6(x + 3) / 6
        if node.isBinary(.mul), node.inputs.count == 2 {
            for (x, gate) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                if let (gated, chain) = hardSigmoid(gate, matcher), gated == x { return (x, chain + [position]) }
            }
        }
        // (x · relu6(x + 3)) / 6
        if let (product, divide) = matcher.divided(node.outputs[0], by: 6).map({ ($0.x, $0.position) }),
           divide == position, let (a, b, multiply) = matcher.binary(product, .mul) {
            for (x, gate) in [(a, b), (b, a)] {
                if let (gated, chain) = relu6OfXPlus3(gate, matcher), gated == x {
                    return (x, chain + [multiply, position])
                }
            }
        }
        return nil
    }

    /// x when `value` is hardSigmoid(x; alpha ≈ 1/6, beta ≈ 0.5) or relu6(x + 3) / 6.
    private static func hardSigmoid(_ value: String, _ matcher: PatternMatcher) -> (String, [Int])? {
        if let (x, position, node) = matcher.unary(value, .hardSigmoid),
           let constants = node.unaryConstants,
           approximatelyEqual(Double(constants.alpha), 1.0 / 6), approximatelyEqual(Double(constants.beta), 0.5) {
            return (x, [position])
        }
        if let (clipped, divide) = matcher.divided(value, by: 6).map({ ($0.x, $0.position) }),
           let (x, chain) = relu6OfXPlus3(clipped, matcher) {
            return (x, chain + [divide])
        }
        return nil
    }

    /// x when `value` is clip(x + 3, 0, 6).
    private static func relu6OfXPlus3(_ value: String, _ matcher: PatternMatcher) -> (String, [Int])? {
        guard let (shifted, clip, node) = matcher.unary(value, .clip),
              node.unaryConstants?.alpha == 0, node.unaryConstants?.beta == 6,
              let (x, add) = matcher.scaled(shifted, .add, by: 3).map({ ($0.x, $0.position) }) else { return nil }
        return (x, [add, clip])
    }
}
