// Shape rules for the Elementwise op group (stub: to be written).

import EFCore

enum ElementwiseShapes {
    static func infer(_ node: Node, _ inputs: [TensorType?]) throws -> [TensorType] {
        throw EdgeflowError(.unsupported, "no shape rule yet for \(node.op.rawValue)")
    }
}
