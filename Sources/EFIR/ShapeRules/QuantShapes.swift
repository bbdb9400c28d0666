// Shape rules for the Quant op group (stub: to be written).

import EFCore

enum QuantShapes {
    static func infer(_ node: Node, _ inputs: [TensorType?]) throws -> [TensorType] {
        throw EdgeflowError(.unsupported, "no shape rule yet for \(node.op.rawValue)")
    }
}
