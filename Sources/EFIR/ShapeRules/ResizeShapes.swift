// Shape rules for the Resize op group (stub: to be written).

import EFCore

enum ResizeShapes {
    static func infer(_ node: Node, _ inputs: [TensorType?]) throws -> [TensorType] {
        throw EdgeflowError(.unsupported, "no shape rule yet for \(node.op.rawValue)")
    }
}
