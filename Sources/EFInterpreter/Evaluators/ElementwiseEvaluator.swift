// Evaluators for the Elementwise op group (stub: to be written).

import EFCore
import EFIR
import EFKernels

enum ElementwiseEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        throw EdgeflowError(.unsupported, "no kernel yet for \(node.op.rawValue)")
    }
}
