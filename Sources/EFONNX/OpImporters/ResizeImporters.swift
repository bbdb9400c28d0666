// ONNX importers for Resize (opsets 10–19: scales or sizes, roi, axes, keep_aspect_ratio_policy,
// antialias) and the older Upsample, all onto the core resize op with the output shape resolved.

import EFCore
import EFIR

enum ResizeImporters {
    static let table: [String: OpImporter] = ["Resize": importResize, "Upsample": importUpsample]

    private static let modes: Set<String> = ["nearest", "linear", "cubic"]
    private static let coordinateModes: Set<String> = [
        "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize",
    ]
    private static let nearestModes: Set<String> = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]

    static func importResize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let shape = try ctx.type(x).shape
        if ctx.opset < 11 {
            let scales = try ctx.requiredConstantInput(node, 1, "scales").doubleValues()
            try emitLegacy(node, ctx, x, shape, scales: scales)
            return
        }
        let what = "Resize node '\(node.displayName)'"
        let mode = try choice(node, "mode", "nearest", modes)
        let coordinateMode = try choice(node, "coordinate_transformation_mode", "half_pixel", coordinateModes)
        let rank = shape.count
        let axes = try (node.attributeInts("axes") ?? Array(0..<rank)).map {
            try normalizeAxis($0, rank: rank, context: "\(what) axes")
        }
        guard Set(axes).count == axes.count else { throw EdgeflowError(.invalidModel, "\(what): axes \(axes) repeat an axis") }

        var attributes: Attributes = [
            "mode": .string(mode), "coordinateTransformationMode": .string(coordinateMode),
            "nearestMode": .string(try choice(node, "nearest_mode", "round_prefer_floor", nearestModes)),
            "cubicCoeffA": .float(try node.attributeFloat("cubic_coeff_a") ?? -0.75),
            "excludeOutside": .int(try node.attributeInt("exclude_outside") ?? 0),
            "extrapolationValue": .float(try node.attributeFloat("extrapolation_value") ?? 0),
            "antialias": .int(mode == "nearest" ? 0 : try node.attributeInt("antialias") ?? 0),
        ]
        let (sizes, scales) = try outputSize(node, ctx, shape: shape, axes: axes)
        attributes["sizes"] = .ints(sizes)
        if let scales { attributes["scales"] = .floats(scales.map { Float($0) }) }
        if coordinateMode == "tf_crop_and_resize" {
            var roi = [Double](repeating: 0, count: rank) + [Double](repeating: 1, count: rank)
            if let given = try ctx.constantInput(node, 1, "roi")?.doubleValues(), !given.isEmpty {
                guard given.count == 2 * axes.count else {
                    throw EdgeflowError(.invalidModel, "\(what): roi has \(given.count) values, expected \(2 * axes.count)")
                }
                for (i, axis) in axes.enumerated() {
                    roi[axis] = given[i]
                    roi[axis + rank] = given[i + axes.count]
                }
            }
            attributes["roi"] = .floats(roi.map { Float($0) })
        }
        try ctx.emit(.resize, [x], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// The output shape and, when they are not simply sizes / input, the scales of the coordinate
    /// transform: from `sizes` (with keep_aspect_ratio_policy) when given, else from `scales`.
    private static func outputSize(_ node: OnnxNode, _ ctx: ImportContext, shape: [Int], axes: [Int]) throws -> ([Int], [Double]?) {
        let what = "Resize node '\(node.displayName)'"
        if let sizes = try ctx.constantInput(node, 3, "sizes").map({ try $0.intValues("\(what) sizes") }),
           !sizes.isEmpty {
            guard sizes.count == axes.count, sizes.allSatisfy({ $0 >= 0 }) else {
                throw EdgeflowError(.invalidModel, "\(what): sizes \(sizes) must give \(axes.count) non-negative values")
            }
            var out = shape
            for (i, axis) in axes.enumerated() { out[axis] = sizes[i] }
            let policy = try node.attributeString("keep_aspect_ratio_policy") ?? "stretch"
            guard policy != "stretch" else { return (out, nil) }
            let ratios = axes.enumerated().map { Double(sizes[$0.offset]) / Double(max(shape[$0.element], 1)) }
            let scale: Double
            switch policy {
            case "not_larger": scale = ratios.min() ?? 1
            case "not_smaller": scale = ratios.max() ?? 1
            default:
                throw EdgeflowError(.unsupported,
                    "\(what): keep_aspect_ratio_policy '\(policy)' is not stretch, not_larger or not_smaller")
            }
            var scales = [Double](repeating: 1, count: shape.count)
            for axis in axes {
                scales[axis] = scale
                out[axis] = try outputDim(scale * Double(shape[axis]) + 0.5, node)
            }
            return (out, scales)
        }
        guard let given = try ctx.constantInput(node, 2, "scales")?.doubleValues(), !given.isEmpty else {
            throw EdgeflowError(.invalidModel, "\(what) has neither scales nor sizes")
        }
        guard given.count == axes.count, given.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw EdgeflowError(.invalidModel, "\(what): scales \(given) must give \(axes.count) positive values")
        }
        var scales = [Double](repeating: 1, count: shape.count)
        for (i, axis) in axes.enumerated() { scales[axis] = given[i] }
        return (try zip(shape, scales).map { try outputDim($1 * Double($0), node) }, scales)
    }

    /// Upsample (opset 7–9, and later where still used): scales from the attribute (opset < 9)
    /// or a constant input; Upsample-1 gives height_scale and width_scale of a 4-D input.
    static func importUpsample(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let shape = try ctx.type(x).shape
        var scales = try node.attributeFloats("scales").map { $0.map(Double.init) }
        if scales == nil, let height = try node.attributeFloat("height_scale"), let width = try node.attributeFloat("width_scale") {
            scales = [Double](repeating: 1, count: max(shape.count - 2, 0)) + [Double(height), Double(width)]
        }
        try emitLegacy(node, ctx, x, shape, scales: try scales ?? ctx.requiredConstantInput(node, 1, "scales").doubleValues())
    }

    /// Resize-10 and Upsample: asymmetric coordinates, output floor(in · scale), nearest rounding
    /// as onnxruntime's legacy path (`simple`).
    private static func emitLegacy(_ node: OnnxNode, _ ctx: ImportContext, _ x: String, _ shape: [Int], scales: [Double]) throws {
        let what = "\(node.opType) node '\(node.displayName)'"
        var mode = try node.attributeString("mode") ?? "nearest"
        if mode == "bilinear" { mode = "linear" }
        guard mode == "nearest" || mode == "linear" else {
            throw EdgeflowError(.unsupported, "\(what): mode '\(mode)' is not nearest or linear")
        }
        guard scales.count == shape.count, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw EdgeflowError(.invalidModel, "\(what): scales \(scales) must give \(shape.count) positive values")
        }
        let sizes = try zip(shape, scales).map { try outputDim($1 * Double($0), node) }
        let attributes: Attributes = [
            "mode": .string(mode), "coordinateTransformationMode": .string("asymmetric"),
            "nearestMode": .string("simple"), "sizes": .ints(sizes), "scales": .floats(scales.map { Float($0) }),
        ]
        try ctx.emit(.resize, [x], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// floor(value) as an output dim.
    /// - Throws: `EdgeflowError.invalidModel` when it is not below 2^31.
    private static func outputDim(_ value: Double, _ node: OnnxNode) throws -> Int {
        guard value.isFinite, value < 2147483648 else {
            throw EdgeflowError(.invalidModel,
                "\(node.opType) node '\(node.displayName)' would make an output dim of \(value)")
        }
        return Int(value.rounded(.down))
    }

    /// A string attribute that must be one of `allowed`.
    private static func choice(_ node: OnnxNode, _ key: String, _ fallback: String, _ allowed: Set<String>) throws -> String {
        let value = try node.attributeString(key) ?? fallback
        guard allowed.contains(value) else {
            throw EdgeflowError(.unsupported,
                "Resize node '\(node.displayName)': \(key) '\(value)' is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        return value
    }
}
