// Helpers for recognizing subgraphs of primitive ops: follow a value to its producer, peel a
// scalar constant off a binary node, and check that a matched chain is self-contained.

import EFCore
import EFIR
import EFKernels

struct PatternMatcher {
    let index: GraphIndex

    init(_ graph: Graph) { index = GraphIndex(graph) }

    var graph: Graph { index.graph }

    /// The producing node of `value` with its position.
    func producer(_ value: String) -> (position: Int, node: Node)? {
        guard let position = index.producer[value] else { return nil }
        return (position, graph.nodes[position])
    }

    /// For `binary fn` with one operand a float scalar constant ≈ `expected` (relative
    /// tolerance 1e-5): the other operand. For sub and div the constant must be the second
    /// operand; for add and mul either one.
    func operand(of node: Node, _ fn: BinaryFunction, scalar expected: Double) -> String? {
        guard node.isBinary(fn), node.inputs.count == 2 else { return nil }
        if approximatelyEqual(index.scalar(node.inputs[1]), expected) { return node.inputs[0] }
        if fn == .add || fn == .mul, approximatelyEqual(index.scalar(node.inputs[0]), expected) {
            return node.inputs[1]
        }
        return nil
    }

    /// The operand of the value's producer when it is `binary fn` by a scalar ≈ `expected`,
    /// with the producer's position.
    func scaled(_ value: String, _ fn: BinaryFunction, by expected: Double) -> (x: String, position: Int)? {
        guard let (position, node) = producer(value), let x = operand(of: node, fn, scalar: expected) else {
            return nil
        }
        return (x, position)
    }

    /// x when `value` is x / c (binary div by c) or x · (1 / c) (binary mul), with the position.
    func divided(_ value: String, by c: Double) -> (x: String, position: Int)? {
        scaled(value, .div, by: c) ?? scaled(value, .mul, by: 1 / c)
    }

    /// The single input of the value's producer when it is `unary fn`.
    func unary(_ value: String, _ fn: UnaryFunction) -> (x: String, position: Int, node: Node)? {
        guard let (position, node) = producer(value), node.isUnary(fn), node.inputs.count == 1 else { return nil }
        return (node.inputs[0], position, node)
    }

    /// The operands of the value's producer when it is `binary fn`.
    func binary(_ value: String, _ fn: BinaryFunction) -> (a: String, b: String, position: Int)? {
        guard let (position, node) = producer(value), node.isBinary(fn), node.inputs.count == 2 else { return nil }
        return (node.inputs[0], node.inputs[1], position)
    }

    /// True when every output of every chain node except `final` is read only by chain nodes
    /// and is not a graph output, so the chain can be replaced as a whole.
    func isSelfContained(_ chain: [Int], final: Int) -> Bool {
        let members = Set(chain)
        guard members.count == chain.count, members.contains(final) else { return false }
        for position in chain where position != final {
            for output in graph.nodes[position].outputs where !output.isEmpty {
                if index.graphOutputs.contains(output) { return false }
                if !(index.readers[output] ?? []).allSatisfy(members.contains) { return false }
            }
        }
        return true
    }

    /// A node named after `final` that replaces the chain, carrying the chain's source names.
    func replacement(for chain: [Int], final: Int, _ params: OpParameters, inputs: [String]) -> Node {
        let last = graph.nodes[final]
        return Node(name: last.name, params, inputs: inputs, outputs: last.outputs,
                    originalNames: chain.sorted().flatMap { graph.nodes[$0].originalNames })
    }
}
