// What a pass is: a named pure function from a graph to a graph plus a count of what it
// changed. The driver (FloatOptimizer) runs them in order.

import EFIR

/// The result of one pass.
struct PassOutcome {
    var graph: Graph
    /// How many rewrites the pass made (its `unit` says what is counted).
    var changes: Int
}

/// One graph rewrite.
struct GraphPass {
    /// Short name used in reports, e.g. "fold-batchnorm".
    let name: String
    /// What `changes` counts, e.g. "mul/add folded into convs".
    let unit: String
    let run: (Graph, FloatOptimizerOptions) throws -> PassOutcome
}
