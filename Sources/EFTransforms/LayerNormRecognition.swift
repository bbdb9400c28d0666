// LayerNorm recognition: the decomposed form exporters emitted before opset 17,
//   d = x − mean(x); v = mean(d² or d · d); n = d / sqrt(v + eps) (or d · reciprocal(·));
//   y = n · scale (+ bias)
// with both means `reduce mean` over the same trailing axes (keepDims 1), becomes core
// `layerNorm` (axis, epsilon, scale, bias).

import EFCore
import EFIR
import EFKernels

enum LayerNormRecognition {
    static func run(_ graph: Graph) -> PassOutcome {
        let matcher = PatternMatcher(graph)
        var rewriter = GraphRewriter(graph)
        var taken = Set<Int>()
        var recognized = 0
        // Last to first, so y = n · scale + bias is matched before its n · scale part.
        for (position, node) in graph.nodes.enumerated().reversed() {
            guard let found = match(node, at: position, matcher),
                  matcher.isSelfContained(found.chain, final: position), taken.isDisjoint(with: found.chain)
            else { continue }
            taken.formUnion(found.chain)
            var inputs = [found.x, rewriter.addWeight(found.scale, named: "\(node.name)/scale")]
            if let bias = found.bias { inputs.append(rewriter.addWeight(bias, named: "\(node.name)/bias")) }
            rewriter.replace(chain: found.chain, with: matcher.replacement(
                for: found.chain, final: position, .layerNorm(LayerNormOp(axis: found.axis, epsilon: found.epsilon)),
                inputs: inputs))
            recognized += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: recognized)
    }

    private struct Match {
        var x: String
        var axis: Int
        var epsilon: Float
        var scale: Tensor
        var bias: Tensor?
        var chain: [Int]
    }

    private static func match(_ node: Node, at position: Int, _ matcher: PatternMatcher) -> Match? {
        let graph = matcher.graph
        guard let output = node.outputs.first, let type = graph.types[output], type.dtype.isFloatingPoint else {
            return nil
        }
        var chain = [position], scaled = output, biasName: String?
        if node.isBinary(.add), let (value, constant) = constantOperand(node, graph), constant != output {
            scaled = value
            biasName = constant
        }
        guard let (multiply, scaleNode) = matcher.producer(scaled), scaleNode.isBinary(.mul),
              let (normalized, scaleName) = constantOperand(scaleNode, graph) else { return nil }
        if biasName == nil { guard multiply == position else { return nil } } else { chain.append(multiply) }
        guard let (centered, deviation, normalizeChain) = division(normalized, matcher),
              let (sum, sqrt, _) = matcher.unary(deviation, .sqrt),
              let (a, b, epsilonAdd) = matcher.binary(sum, .add) else { return nil }
        let (variance, epsilon): (String, Double)
        if let e = matcher.index.scalar(b) { (variance, epsilon) = (a, e) }
        else if let e = matcher.index.scalar(a) { (variance, epsilon) = (b, e) }
        else { return nil }
        guard let (squared, varianceMean, varianceAxes) = mean(variance, matcher),
              isSquare(squared, of: centered, matcher) != nil,
              let (x, meanValue, subtract) = matcher.binary(centered, .sub),
              let (meanInput, meanPosition, axes) = mean(meanValue, matcher), meanInput == x, axes == varianceAxes,
              let xType = graph.types[x], xType == type, let axis = axes.first,
              axes == Array(axis..<xType.shape.count) else { return nil }
        let normalizedShape = Array(xType.shape[axis...])
        guard let scale = rowConstant(graph.weights[scaleName], normalizedShape, xType.dtype) else { return nil }
        var bias: Tensor?
        if let biasName {
            guard let row = rowConstant(graph.weights[biasName], normalizedShape, xType.dtype) else { return nil }
            bias = row
        }
        chain += normalizeChain + [sqrt, epsilonAdd, varianceMean, isSquare(squared, of: centered, matcher)!,
                                   subtract, meanPosition]
        return Match(x: x, axis: axis, epsilon: Float(epsilon), scale: scale, bias: bias, chain: chain)
    }

    /// (variable operand, constant operand) of a binary node with exactly one weight operand.
    private static func constantOperand(_ node: Node, _ graph: Graph) -> (String, String)? {
        guard node.inputs.count == 2 else { return nil }
        let (a, b) = (node.inputs[0], node.inputs[1])
        switch (graph.weights[a] != nil, graph.weights[b] != nil) {
        case (false, true): return (a, b)
        case (true, false): return (b, a)
        default: return nil
        }
    }

    /// d and s when `value` is d / s or d · reciprocal(s), with the chain positions.
    private static func division(_ value: String, _ matcher: PatternMatcher) -> (String, String, [Int])? {
        if let (d, s, divide) = matcher.binary(value, .div) { return (d, s, [divide]) }
        guard let (a, b, multiply) = matcher.binary(value, .mul) else { return nil }
        for (d, r) in [(a, b), (b, a)] {
            if let (s, reciprocal, _) = matcher.unary(r, .reciprocal) { return (d, s, [reciprocal, multiply]) }
        }
        return nil
    }

    /// The input, position and axes of a `reduce mean` with keepDims 1 producing `value`.
    private static func mean(_ value: String, _ matcher: PatternMatcher) -> (String, Int, [Int])? {
        guard let (position, node) = matcher.producer(value), node.op == .reduce,
              case .reduce(let reduce) = node.params, reduce.fn == .mean, reduce.keepDims,
              case let axes = reduce.axes, !axes.isEmpty else { return nil }
        return (node.inputs[0], position, axes.sorted())
    }

    /// The position of the node computing `value` = d² (pow by 2) or d · d.
    private static func isSquare(_ value: String, of d: String, _ matcher: PatternMatcher) -> Int? {
        if let (base, power) = matcher.scaled(value, .pow, by: 2).map({ ($0.x, $0.position) }), base == d {
            return power
        }
        if let (a, b, multiply) = matcher.binary(value, .mul), a == d, b == d { return multiply }
        return nil
    }

    /// The constant reshaped to the normalized dims, when it holds exactly one value per
    /// normalized element, lies along the trailing dims, and has x's dtype.
    private static func rowConstant(_ tensor: Tensor?, _ normalized: [Int], _ dtype: DType) -> Tensor? {
        guard let tensor, tensor.dtype == dtype, tensor.count == normalized.elementCount,
              Array(tensor.shape.drop { $0 == 1 }) == Array(normalized.drop { $0 == 1 }) else { return nil }
        return tensor.reshaped(normalized)
    }
}
