// Operators that move data: RESHAPE (in TFLite's memory order, so a 4-D input is transposed
// back to NHWC first), CONCATENATION and PAD (axes remapped to NCHW), TRANSPOSE (composed with
// the layout permutations), DEPTH_TO_SPACE and the resizes (align_corners/half_pixel_centers
// mapped onto ONNX coordinate modes).

import EFCore
import EFONNX
import Foundation

enum ShapeTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.reshape: reshape, BuiltinOperator.concatenation: concatenation, BuiltinOperator.pad: pad,
        BuiltinOperator.transpose: transpose, BuiltinOperator.depthToSpace: depthToSpace,
        BuiltinOperator.resizeBilinear: resize(linear: true),
        BuiltinOperator.resizeNearestNeighbor: resize(linear: false),
    ]

    /// RESHAPE (and SQUEEZE, EXPAND_DIMS) to the output tensor's static shape.
    static func reshape(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.valueInTFLiteOrder(try ctx.input(op, 0, "input"))
        let out = try ctx.output(op)
        let shape = ctx.int64s(try ctx.reshapedShape(op), hint: "shape")
        ctx.produceInTFLiteOrder(out) { ctx.emit("Reshape", [x, shape], output: $0, hint: x) }
    }

    private static func concatenation(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let out = try ctx.output(op)
        let rank = ctx.rank(out)
        let axis = try options.int(0)
        guard axis >= -rank, axis < rank else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axis \(axis) is outside rank \(rank)")
        }
        if ctx.computesInIntegers(op) {
            let output = try ctx.quantization(out)
            for index in op.inputs where try ctx.quantization(index) != output {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): int8 input '\(ctx.tensor(index).name)' is "
                    + "quantized unlike the output (TFLite requires equal scales and zero points)")
            }
        }
        let inputs = try op.inputs.map { try ctx.value($0) }
        try ctx.emitFused("Concat", inputs, ["axis": .int(Layout.nchwAxis(axis, rank: rank))], op: op,
                          activation: try options.byte(1))
    }

    /// PAD with a constant [rank, 2] paddings tensor (zeros, or the zero point of a quantized
    /// tensor; a PADV2-style value is not read).
    private static func pad(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let paddings = try ctx.constantInput(op, 1, "paddings").intValues("\(ctx.opDescription) paddings")
        guard paddings.count == 2 * rank, paddings.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): paddings \(paddings) do not fit rank \(rank)")
        }
        let order = rank == 4 ? Layout.toNCHWPerm : Array(0..<rank)
        let pads = order.map { paddings[2 * $0] } + order.map { paddings[2 * $0 + 1] }
        let padValue = [try ctx.integerPadValue(op)].compactMap { $0 }   // int8: the zero point
        let inputs = [try ctx.value(x), ctx.int64s(pads, hint: "pads")] + padValue
        try ctx.emitFused("Pad", inputs, op: op, activation: 0)
    }

    /// TRANSPOSE: for 4-D tensors the permutation acts on the NCHW-held values.
    private static func transpose(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let perm = try ctx.constantInput(op, 1, "permutation").intValues("\(ctx.opDescription) permutation")
        let rank = ctx.rank(x)
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(perm) is not a permutation of \(rank) axes")
        }
        let held = rank == 4 ? Layout.toNCHWPerm.map { Layout.toNHWCPerm[perm[$0]] } : perm
        try ctx.emitFused("Transpose", [try ctx.value(x)], ["perm": .ints(held)], op: op, activation: 0)
    }

    /// DEPTH_TO_SPACE: TensorFlow's order is ONNX's DCR mode.
    private static func depthToSpace(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.value(try ctx.input(op, 0, "input"))
        try ctx.emitFused("DepthToSpace", [x], [
            "blocksize": .int(try Options(op).int(0)), "mode": .string(Data("DCR".utf8)),
        ], op: op, activation: 0)
    }

    /// RESIZE_BILINEAR (options: align_corners field 2, half_pixel_centers 3) and
    /// RESIZE_NEAREST_NEIGHBOR (fields 0 and 1) to the output tensor's static size.
    private static func resize(linear: Bool) -> OperatorTranslator {
        return { op, ctx in
            let options = Options(op)
            let alignCorners = try options.bool(linear ? 2 : 0)
            let halfPixel = try options.bool(linear ? 3 : 1)
            let x = try ctx.input(op, 0, "input")
            let out = try ctx.output(op)
            let shape = ctx.shape(out)
            guard shape.count == 4, ctx.rank(x) == 4 else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): resize of a tensor that is not 4-D")
            }
            let coordinates = alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric"
            // TFLite's nearest neighbour rounds half away from zero with align_corners, floors
            // (out + 0.5) / scale with half pixel centers (= round_prefer_ceil of ONNX's
            // half_pixel coordinate) and floors otherwise.
            let nearest = alignCorners || halfPixel ? "round_prefer_ceil" : "floor"
            let sizes = ctx.int64s([shape[0], shape[3], shape[1], shape[2]], hint: "sizes")
            try ctx.emitFused("Resize", [try ctx.value(x), "", "", sizes], [
                "mode": .string(Data((linear ? "linear" : "nearest").utf8)),
                "coordinate_transformation_mode": .string(Data(coordinates.utf8)),
                "nearest_mode": .string(Data(nearest.utf8)),
            ], op: op, activation: 0)
        }
    }
}
