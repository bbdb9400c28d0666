// A read-only index over a graph for pattern matching: who produces a value, who reads it,
// and which values are constants (weights) or scalars.

import EFCore
import EFIR
import EFKernels

/// Producers and readers of every value of one graph (as it was when the index was built).
struct GraphIndex {
    let graph: Graph
    /// Node index that produces each node output.
    private(set) var producer: [String: Int] = [:]
    /// Node indices reading each value, once per input slot (x · x lists its node twice).
    private(set) var readers: [String: [Int]] = [:]
    let graphOutputs: Set<String>

    init(_ graph: Graph) {
        self.graph = graph
        graphOutputs = Set(graph.outputs)
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = index }
            for input in node.inputs where !input.isEmpty { readers[input, default: []].append(index) }
        }
    }

    /// How many input slots read `value`, plus one when it is a graph output.
    func useCount(_ value: String) -> Int {
        (readers[value]?.count ?? 0) + (graphOutputs.contains(value) ? 1 : 0)
    }

    /// The only node reading `value` (through exactly one input slot), when `value` is not a
    /// graph output; nil otherwise.
    func soleReader(of value: String) -> Int? {
        guard !graphOutputs.contains(value), let list = readers[value], list.count == 1 else { return nil }
        return list[0]
    }

    /// True when `value` is read by exactly `count` input slots and is not a graph output.
    func isInterior(_ value: String, uses count: Int = 1) -> Bool {
        !graphOutputs.contains(value) && (readers[value]?.count ?? 0) == count
    }

    /// The node producing `value`, nil for graph inputs and weights.
    func node(producing value: String) -> Node? {
        producer[value].map { graph.nodes[$0] }
    }

    /// The constant tensor named `value`, nil when it is not a weight.
    func constant(_ value: String) -> Tensor? { graph.weights[value] }

    /// The value of a one-element float constant, nil otherwise.
    func scalar(_ value: String) -> Double? {
        guard let tensor = graph.weights[value], tensor.count == 1, tensor.dtype.isFloatingPoint else { return nil }
        return tensor.doubleValues()[0]
    }
}

/// Small predicates on nodes used by every matcher.
extension Node {
    /// The `fn` param when this is a `unary` node.
    var unaryFunction: UnaryFunction? { if case .unary(let p) = params { p.fn } else { nil } }
    /// The constants of a `unary` node.
    var unaryConstants: UnaryParameters? { if case .unary(let p) = params { p.constants } else { nil } }
    /// The `fn` param when this is a `binary` node.
    var binaryFunction: BinaryFunction? { if case .binary(let fn) = params { fn } else { nil } }

    func isUnary(_ fn: UnaryFunction) -> Bool { unaryFunction == fn }
    func isBinary(_ fn: BinaryFunction) -> Bool { binaryFunction == fn }

    /// For a binary node: the operand that is not `value` (nil when neither or both are).
    func otherOperand(than value: String) -> String? {
        guard inputs.count == 2 else { return nil }
        if inputs[0] == value && inputs[1] != value { return inputs[1] }
        if inputs[1] == value && inputs[0] != value { return inputs[0] }
        return nil
    }
}

/// Compares constants with a relative tolerance (exporters write 1/6, √2, 0.044715... at
/// different precisions).
func approximatelyEqual(_ a: Double?, _ b: Double, relativeTolerance: Double = 1e-5) -> Bool {
    guard let a else { return false }
    if a == b { return true }
    return abs(a - b) <= relativeTolerance * max(abs(a), abs(b))
}
