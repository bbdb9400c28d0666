// Shape rule for resize: the importer resolved the complete output shape into `sizes`.

import EFCore

enum ResizeShapes {
    static func infer(_ node: Node, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try ShapeInference.required(inputs, 0, "x")
        let sizes = try node.attributes.requiredInts("sizes")
        guard sizes.count == x.shape.count, sizes.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel,
                "resize sizes \(sizes) must give \(x.shape.count) non-negative dims for input \(x.shape.shapeDescription)")
        }
        let mode = try node.attributes.requiredString("mode")
        guard ["nearest", "linear", "cubic"].contains(mode) else {
            throw EdgeflowError(.invalidModel, "resize mode '\(mode)' is not nearest, linear or cubic")
        }
        if mode != "nearest" && x.dtype == .bool {
            throw EdgeflowError(.invalidModel, "resize \(mode) needs a numeric input, got bool")
        }
        if let scales = node.attributes.floats("scales"), !scales.isEmpty, scales.count != sizes.count {
            throw EdgeflowError(.invalidModel, "resize scales \(scales) must give one value per axis (\(sizes.count))")
        }
        return [TensorType(x.dtype, sizes)]
    }
}
