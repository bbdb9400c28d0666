// ONNX importers for spatial sampling: GridSample (opsets 16, 20, 22), RoiAlign (opsets 10, 16,
// 22) and DeformConv (opsets 19, 22) onto the core gridSample, roiAlign and deformConv ops, and
// AffineGrid (opset 20) lowered onto matMul with a constant grid of normalized positions.

import EFCore
import EFIR
import EFKernels

enum SamplingImporters {
    static let table: [String: OpImporter] = [
        "GridSample": importGridSample, "AffineGrid": importAffineGrid, "RoiAlign": importRoiAlign,
        "DeformConv": importDeformConv,
    ]

    /// RoiAlign: opset 10 has no `coordinate_transformation_mode` and behaves as
    /// `output_half_pixel`; opset 16 adds it with the default `half_pixel`.
    static func importRoiAlign(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), rois = try ctx.requiredInput(node, 1, "rois")
        let indices = try ctx.requiredInput(node, 2, "batch_indices")
        let transform = try node.attributeString("coordinate_transformation_mode")
            ?? (ctx.opset < 16 ? "output_half_pixel" : "half_pixel")
        guard transform == "half_pixel" || transform == "output_half_pixel" else {
            throw LoweringSupport.unsupported(node,
                "coordinate_transformation_mode '\(transform)' is not half_pixel or output_half_pixel")
        }
        let mode = try node.attributeString("mode") ?? "avg"
        guard RoiAlignMode(rawValue: mode) != nil else {
            throw LoweringSupport.unsupported(node, "mode '\(mode)' is not avg or max")
        }
        let attributes: Attributes = [
            "mode": .string(mode), "outputHeight": .int(try node.attributeInt("output_height") ?? 1),
            "outputWidth": .int(try node.attributeInt("output_width") ?? 1),
            "samplingRatio": .int(try node.attributeInt("sampling_ratio") ?? 0),
            "spatialScale": .float(try node.attributeFloat("spatial_scale") ?? 1),
            "halfPixel": .int(transform == "half_pixel" ? 1 : 0),
        ]
        try ctx.emit(.roiAlign, [x, rois, indices], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// DeformConv: the window attributes as Conv's (explicit pads; DeformConv has no auto_pad),
    /// `group` and `offset_group`; optional inputs B and mask.
    static func importDeformConv(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), w = try ctx.requiredInput(node, 1, "W")
        let offset = try ctx.requiredInput(node, 2, "offset")
        let spatial = try ctx.spatialDims(x, of: node)
        guard spatial.count == 2 else {
            throw LoweringSupport.unsupported(node,
                                              "only 2-D DeformConv is supported, got \(spatial.count) spatial dims")
        }
        let window = try WindowAttributes(node, spatial: spatial, kernel: Array(try ctx.type(w).shape.dropFirst(2)),
                                          same: .dilatedKernel)
        var attributes = window.attributes
        attributes["group"] = .int(try node.attributeInt("group") ?? 1)
        attributes["offsetGroup"] = .int(try node.attributeInt("offset_group") ?? 1)
        try ctx.emit(.deformConv, [x, w, offset, ctx.input(node, 3) ?? "", ctx.input(node, 4) ?? ""], attributes,
                     outputs: [node.outputs[0]], from: node)
    }

    /// GridSample: opset 16 names the modes bilinear/nearest/bicubic (4-D only), opset 20 on
    /// linear/nearest/cubic over any number of spatial axes.
    static func importGridSample(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), grid = try ctx.requiredInput(node, 1, "grid")
        let legacy = ctx.opset < 20
        let names: [String: GridSampleMode] = legacy
            ? ["bilinear": .linear, "nearest": .nearest, "bicubic": .cubic]
            : ["linear": .linear, "nearest": .nearest, "cubic": .cubic]
        let modeName = try node.attributeString("mode") ?? (legacy ? "bilinear" : "linear")
        guard let mode = names[modeName] else {
            throw LoweringSupport.unsupported(node,
                "mode '\(modeName)' is not one of \(names.keys.sorted().joined(separator: ", "))")
        }
        let paddingName = try node.attributeString("padding_mode") ?? "zeros"
        guard GridSamplePadding(rawValue: paddingName) != nil else {
            throw LoweringSupport.unsupported(node, "padding_mode '\(paddingName)' is not zeros, border or reflection")
        }
        let rank = try ctx.type(x).shape.count
        if legacy && rank != 4 {
            throw LoweringSupport.invalid(node, "opset \(ctx.opset) GridSample takes a 4-D input, got rank \(rank)")
        }
        let attributes: Attributes = [
            "mode": .string(mode.rawValue), "paddingMode": .string(paddingName),
            "alignCorners": .int(try node.attributeInt("align_corners") ?? 0 != 0 ? 1 : 0),
        ]
        try ctx.emit(.gridSample, [x, grid], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// AffineGrid: theta [N, r, r + 1] (r = 2 or 3) and a constant size [N, C, D1...Dr] give
    /// the grid [N, D1...Dr, r] = positions [P, r + 1] · thetaᵀ, where each row of positions is
    /// (x, y[, z], 1) of one output point. Computed in float64 and rounded once, as the reference.
    static func importAffineGrid(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let theta = try ctx.requiredInput(node, 0, "theta"), thetaType = try ctx.type(theta)
        let size = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "size"), node, "size")
        guard size.count == 4 || size.count == 5, size.allSatisfy({ $0 >= 0 }) else {
            throw LoweringSupport.invalid(node, "size \(size) must be [N, C, H, W] or [N, C, D, H, W]")
        }
        let spatial = Array(size[2...]), r = spatial.count
        guard thetaType.dtype.isFloatingPoint, thetaType.shape == [size[0], r, r + 1] else {
            throw LoweringSupport.invalid(node, "theta \(thetaType) must be float [\(size[0]), \(r), \(r + 1)]")
        }
        let what = "AffineGrid node '\(node.displayName)' positions"
        let points = try CheckedSize.elementCount(spatial, what, kind: .invalidModel)
        let count = try CheckedSize.multiply(points, r + 1, what, kind: .invalidModel)
        _ = try ConstantTensors.checkedCount(Double(count), ctx, node, elementSize: DType.float64.byteSize)
        let alignCorners = try node.attributeInt("align_corners") ?? 0 != 0
        let positions = ctx.addConstant(Tensor(shape: [points, r + 1],
                                               scalars: Self.positions(spatial, alignCorners: alignCorners)),
                                        hint: "\(node.displayName)/positions")
        var wide = theta
        if thetaType.dtype != .float64 {
            wide = try ctx.emit(.cast, [theta], ["to": .string("float64")], from: node, hint: "theta64")
        }
        let transposed = try ctx.emit(.transpose, [wide], ["perm": .ints([0, 2, 1])], from: node, hint: "thetaT")
        var grid = try ctx.emit(.matMul, [positions, transposed], from: node, hint: "points")
        if thetaType.dtype != .float64 {
            grid = try ctx.emit(.cast, [grid], ["to": .string(thetaType.dtype.rawValue)], from: node, hint: "points32")
        }
        _ = try LoweringSupport.reshape(grid, to: [size[0]] + spatial + [r], ctx, node, hint: "grid",
                                        output: node.outputs[0])
    }

    /// Rows (x, y[, z], 1) of every point of `spatial` in row-major order: the normalized centers
    /// of the pixels (align_corners = 0) or positions from -1 to 1 inclusive (align_corners = 1).
    private static func positions(_ spatial: [Int], alignCorners: Bool) -> [Double] {
        let axes = spatial.map { n -> [Double] in
            let step = alignCorners ? (n > 1 ? 2 / Double(n - 1) : 0) : 2 / Double(max(n, 1))
            let start = alignCorners ? -1 : -1 + step / 2
            return (0..<n).map { start + Double($0) * step }
        }
        let r = spatial.count, points = spatial.reduce(1, *)
        var rows = [Double](repeating: 1, count: points * (r + 1))
        var index = [Int](repeating: 0, count: r)
        for p in 0..<points {
            for axis in 0..<r { rows[p * (r + 1) + (r - 1 - axis)] = axes[axis][index[axis]] }
            var axis = r - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < spatial[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return rows
    }
}
