// TFLite float operators over NHWC images beyond convolution and pooling: SPACE_TO_BATCH_ND and
// BATCH_TO_SPACE_ND (how converters spell atrous convolutions, e.g. DeepLab), computed in
// TFLite's order as pad/reshape/transpose/reshape(/slice); L2_POOL_2D (the root of the mean of
// squares over the pixels inside the image); LOCAL_RESPONSE_NORMALIZATION onto ONNX's LRN; and
// L2_NORMALIZATION over the last axis (x / max(‖x‖, 1e-6), as TFLite's kernel).

import EFCore
import EFONNX

enum SpatialTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.spaceToBatchND: spaceToBatch, BuiltinOperator.batchToSpaceND: batchToSpace,
        BuiltinOperator.l2Pool2D: l2Pool, BuiltinOperator.localResponseNormalization: localResponseNormalization,
        BuiltinOperator.l2Normalization: l2Normalization,
    ]

    /// The block shape [bh, bw] and the [2, 2] pads or crops of a 4-D batch/space operator.
    private static func blocks(_ op: TFLiteOperator, _ ctx: TranslationContext, _ role: String) throws
        -> (block: [Int], amounts: [Int]) {
        let block = try ctx.constantInput(op, 1, "block shape").intValues("\(ctx.opDescription) block shape")
        let amounts = try ctx.constantInput(op, 2, role).intValues("\(ctx.opDescription) \(role)")
        let x = try ctx.input(op, 0, "input")
        guard ctx.rank(x) == 4, block.count == 2, amounts.count == 4, block.allSatisfy({ $0 >= 1 && $0 < 1 << 16 }),
              amounts.allSatisfy({ $0 >= 0 && $0 < 1 << 24 }) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): needs a 4-D input, a block shape of 2 values "
                + "≥ 1 and [2, 2] non-negative \(role); got block \(block), \(role) \(amounts)")
        }
        return (block, amounts)
    }

    /// [N, H, W, C] padded, then [N, H'/bh, bh, W'/bw, bw, C] → [bh, bw, N, H'/bh, W'/bw, C] →
    /// [bh·bw·N, H'/bh, W'/bw, C].
    private static func spaceToBatch(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let (block, pads) = try blocks(op, ctx, "paddings")
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let shape = ctx.shape(x)
        let height = shape[1] + pads[0] + pads[1], width = shape[2] + pads[2] + pads[3]
        guard height % block[0] == 0, width % block[1] == 0,
              ctx.shape(out) == [shape[0] * block[0] * block[1], height / block[0], width / block[1], shape[3]] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): padded size \(height)×\(width) does not fit "
                + "block \(block) and output \(ctx.shape(out))")
        }
        var value = try ctx.valueInTFLiteOrder(x)
        if pads.contains(where: { $0 > 0 }) {
            let pads = ctx.int64s([0, pads[0], pads[2], 0, 0, pads[1], pads[3], 0], hint: "pads")
            value = ctx.emit("Pad", [value, pads] + [try ctx.integerPadValue(op)].compactMap { $0 }, hint: value)
        }
        let split = [shape[0], height / block[0], block[0], width / block[1], block[1], shape[3]]
        value = ctx.emit("Reshape", [value, ctx.int64s(split, hint: "shape")], hint: value)
        value = ctx.emit("Transpose", [value], [TranslationContext.perm: .ints([2, 4, 0, 1, 3, 5])], hint: value)
        let result = value
        ctx.produceInTFLiteOrder(out) {
            ctx.emit("Reshape", [result, ctx.int64s(ctx.shape(out), hint: "shape")], output: $0, hint: result)
        }
    }

    /// [bh·bw·N, H, W, C] → [bh, bw, N, H, W, C] → [N, H, bh, W, bw, C] → [N, H·bh, W·bw, C], cropped.
    private static func batchToSpace(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let (block, crops) = try blocks(op, ctx, "crops")
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let shape = ctx.shape(x), blocks = block[0] * block[1]
        let height = shape[1] * block[0], width = shape[2] * block[1]
        guard shape[0] % blocks == 0, crops[0] + crops[1] <= height, crops[2] + crops[3] <= width,
              ctx.shape(out) == [shape[0] / blocks, height - crops[0] - crops[1], width - crops[2] - crops[3],
                                 shape[3]] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): input \(shape) with block \(block) and crops "
                + "\(crops) does not give output \(ctx.shape(out))")
        }
        var value = try ctx.valueInTFLiteOrder(x)
        let split = [block[0], block[1], shape[0] / blocks, shape[1], shape[2], shape[3]]
        value = ctx.emit("Reshape", [value, ctx.int64s(split, hint: "shape")], hint: value)
        value = ctx.emit("Transpose", [value], [TranslationContext.perm: .ints([2, 3, 0, 4, 1, 5])], hint: value)
        value = ctx.emit("Reshape", [value, ctx.int64s([shape[0] / blocks, height, width, shape[3]], hint: "shape")],
                         hint: value)
        let result = value
        ctx.produceInTFLiteOrder(out) {
            ctx.emit("Slice", [result, ctx.int64s([crops[0], crops[2]], hint: "starts"),
                               ctx.int64s([height - crops[1], width - crops[3]], hint: "ends"),
                               ctx.int64s([1, 2], hint: "axes")], output: $0, hint: result)
        }
    }

    /// L2_POOL_2D (Pool2DOptions): sqrt(average of x² over the window's pixels inside the image).
    private static func l2Pool(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.value(try ctx.input(op, 0, "input"))
        let squared = ctx.emit("Mul", [x, x], hint: "square")
        let average = try ConvTranslators.averagePool(op, ctx, squared)
        try ctx.emitFused("Sqrt", [average], op: op, activation: try Options(op).byte(5))
    }

    /// LOCAL_RESPONSE_NORMALIZATION (radius, bias, alpha, beta) over channels: TFLite's sum of
    /// squares over 2·radius + 1 channels times alpha is ONNX LRN's alpha / size.
    private static func localResponseNormalization(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input")
        let radius = try options.int(0, 5)
        guard ctx.rank(x) == 4, radius >= 0, radius < 1 << 16 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): needs a 4-D input and a radius in 0..<65536")
        }
        let size = 2 * radius + 1
        try ctx.emitFused("LRN", [try ctx.value(x)], [
            "size": .int(size), "bias": .float(try options.float(1, 1)),
            "alpha": .float(try options.float(2, 1) * Float(size)), "beta": .float(try options.float(3, 0.5)),
        ], op: op, activation: 0)
    }

    /// L2_NORMALIZATION over the last TFLite axis: x / max(sqrt(Σx²), 1e-6).
    private static func l2Normalization(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x), value = try ctx.value(x)
        let axis = Layout.nchwAxis(rank - 1, rank: rank)
        let sum = ctx.emit("ReduceSumSquare", [value], ["axes": .ints([axis]), "keepdims": .int(1)], hint: "l2")
        let norm = ctx.emit("Max", [ctx.emit("Sqrt", [sum], hint: "l2"),
                                    ctx.addInitializer(Tensor(shape: [], scalars: [Float(1e-6)]), hint: "epsilon")],
                            hint: "l2")
        try ctx.emitFused("Div", [value, norm], op: op, activation: try Options(op).byte(0))
    }
}
