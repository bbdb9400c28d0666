// What the fp optimization did, pass by pass, for `edgeflow` to print and tests to check.

/// One pass's effect.
public struct PassReport: Sendable, Equatable, CustomStringConvertible {
    /// Pass name, e.g. "fold-batchnorm".
    public let pass: String
    /// How many rewrites the pass made.
    public let changes: Int
    /// What `changes` counts, e.g. "mul/add folded into conv".
    public let unit: String
    /// Node counts before the pass and after it (including the dead-code sweep that follows).
    public let nodesBefore: Int
    public let nodesAfter: Int

    public var description: String {
        let removed = nodesBefore - nodesAfter
        let effect = removed > 0 ? " (\(removed) nodes removed)" : removed < 0 ? " (\(-removed) nodes added)" : ""
        return "\(pass): \(changes) \(unit)" + effect
    }
}

/// The passes run, in order.
public struct OptimizationReport: Sendable, CustomStringConvertible {
    public internal(set) var passes: [PassReport] = []

    /// The report of the pass named `pass` (nil when it did not run).
    public subscript(pass: String) -> PassReport? { passes.first { $0.pass == pass } }

    /// Node count of the input graph and of the result.
    public var nodesBefore: Int { passes.first?.nodesBefore ?? 0 }
    public var nodesAfter: Int { passes.last?.nodesAfter ?? 0 }

    /// One line per pass, then the total.
    public var description: String {
        (passes.map(\.description) + ["nodes: \(nodesBefore) → \(nodesAfter)"]).joined(separator: "\n")
    }
}
