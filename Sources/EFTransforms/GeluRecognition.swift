// GELU recognition: x · 0.5 · (1 + erf(x / √2)) becomes `unary gelu`, and
// x · 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 · x³))) becomes `unary geluTanh`, in the
// associations exporters produce: ((x · T) · 0.5), ((x · 0.5) · T) and (x · (T · 0.5)), with
// · 0.5 also written / 2 and / √2 also written · (1/√2). x · sigmoid(1.702 x) (QuickGELU) is
// a different function and is left alone.

import EFCore
import EFIR

enum GeluRecognition {
    static func run(_ graph: Graph) -> PassOutcome {
        UnaryChainRewrite.run(graph) { node, position, matcher in match(node, at: position, matcher) }
    }

    private typealias Match = UnaryChainRewrite.Match

    private static func match(_ node: Node, at position: Int, _ matcher: PatternMatcher) -> Match? {
        // (x · T) · 0.5
        if let (product, half) = matcher.divided(node.outputs[0], by: 2).map({ ($0.x, $0.position) }),
           half == position, let (a, b, multiply) = matcher.binary(product, .mul) {
            for (x, t) in [(a, b), (b, a)] {
                if let term = onePlusTerm(t, matcher), term.x == x {
                    return (x, term.chain + [multiply, position], term.fn)
                }
            }
        }
        guard node.isBinary(.mul), node.inputs.count == 2 else { return nil }
        for (p, q) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
            // (x · 0.5) · T
            if let (x, half) = matcher.divided(p, by: 2).map({ ($0.x, $0.position) }),
               let term = onePlusTerm(q, matcher), term.x == x {
                return (x, term.chain + [half, position], term.fn)
            }
            // x · (T · 0.5)
            if let (t, half) = matcher.divided(q, by: 2).map({ ($0.x, $0.position) }),
               let term = onePlusTerm(t, matcher), term.x == p {
                return (p, term.chain + [half, position], term.fn)
            }
        }
        return nil
    }

    /// 1 + erf(x / √2) (fn "gelu") or 1 + tanh(√(2/π) · (x + 0.044715 · x³)) (fn "geluTanh").
    private static func onePlusTerm(_ value: String, _ matcher: PatternMatcher) -> Match? {
        guard let (inner, add) = matcher.scaled(value, .add, by: 1).map({ ($0.x, $0.position) }) else { return nil }
        if let (argument, erf, _) = matcher.unary(inner, .erf),
           let (x, divide) = matcher.divided(argument, by: 2.0.squareRoot()).map({ ($0.x, $0.position) }) {
            return (x, [divide, erf, add], .gelu)
        }
        if let (argument, tanh, _) = matcher.unary(inner, .tanh),
           let (cubic, scale) = matcher.scaled(argument, .mul, by: (2 / Double.pi).squareRoot())
               .map({ ($0.x, $0.position) }),
           let (a, b, sum) = matcher.binary(cubic, .add) {
            for (x, term) in [(a, b), (b, a)] {
                if let (cube, weight) = matcher.scaled(term, .mul, by: 0.044715).map({ ($0.x, $0.position) }),
                   let (cubed, cubeChain) = self.cube(cube, matcher), cubed == x {
                    return (x, cubeChain + [weight, sum, scale, tanh, add], .geluTanh)
                }
            }
        }
        return nil
    }

    /// x when `value` is pow(x, 3), x · (x · x) or (x · x) · x.
    private static func cube(_ value: String, _ matcher: PatternMatcher) -> (String, [Int])? {
        if let (x, power) = matcher.scaled(value, .pow, by: 3).map({ ($0.x, $0.position) }) { return (x, [power]) }
        guard let (a, b, outer) = matcher.binary(value, .mul) else { return nil }
        for (x, square) in [(a, b), (b, a)] {
            if let (u, v, inner) = matcher.binary(square, .mul), u == x, v == x { return (x, [inner, outer]) }
        }
        return nil
    }
}
