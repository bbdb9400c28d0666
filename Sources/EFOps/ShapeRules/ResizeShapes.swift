// Shape rule for resize: the importer resolved the complete output shape into `sizes`.

import EFCore

enum ResizeShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, "x")
        guard case .resize(let p) = node.params else { throw EdgeflowError(.internalError, "not a resize node") }
        let sizes = p.sizes
        guard sizes.count == x.shape.count, sizes.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel,
                "resize sizes \(sizes) must give \(x.shape.count) non-negative dims for input \(x.shape.shapeDescription)")
        }
        let mode = p.mode.rawValue
        if mode != "nearest" && x.dtype == .bool {
            throw EdgeflowError(.invalidModel, "resize \(mode) needs a numeric input, got bool")
        }
        if let scales = p.scales, scales.count != sizes.count {
            throw EdgeflowError(.invalidModel, "resize scales \(scales) must give one value per axis (\(sizes.count))")
        }
        return [TensorType(x.dtype, sizes)]
    }
}
