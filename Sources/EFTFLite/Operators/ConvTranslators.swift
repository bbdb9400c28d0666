// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and the 2-D pools: weights permuted from TFLite's
// OHWI to ONNX's OIHW once, SAME/VALID padding turned into explicit pads from the static
// shapes (TFLite puts the odd pixel at the end, as here), fused activations after. Int8
// convolutions go on to IntegerTranslators with the same geometry.

import EFCore
import EFKernels
import EFONNX

enum ConvTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.conv2D: conv, BuiltinOperator.depthwiseConv2D: depthwiseConv,
        BuiltinOperator.transposeConv: transposeConv,
        BuiltinOperator.maxPool2D: pool("MaxPool"), BuiltinOperator.averagePool2D: pool("AveragePool"),
    ]

    /// ONNX pads [begin..., end...] of a window over `input` (H, W; or D, H, W) with TFLite
    /// `padding` (0 SAME, 1 VALID).
    static func pads(padding: Int8, input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) -> [Int] {
        guard padding == 0 else { return [Int](repeating: 0, count: 2 * input.count) }
        var begin: [Int] = [], end: [Int] = []
        for axis in input.indices {
            let output = (input[axis] + strides[axis] - 1) / strides[axis]
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            let total = max((output - 1) * strides[axis] + extent - input[axis], 0)
            begin.append(total / 2)
            end.append(total - total / 2)
        }
        return begin + end
    }

    /// Strides or dilations (H, W) from options fields `hID`/`wID`, each at least 1.
    private static func pair(_ options: Options, h hID: Int, w wID: Int, default value: Int32,
                             _ what: String, _ ctx: TranslationContext) throws -> [Int] {
        let pair = [try options.int(hID, value), try options.int(wID, value)]
        guard pair.allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(what) \(pair) must be at least 1")
        }
        return pair
    }

    /// The input's H and W, checking it is 4-D.
    static func spatial(_ index: Int, _ ctx: TranslationContext) throws -> [Int] {
        let shape = ctx.shape(index)
        guard shape.count == 4 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): input of shape \(shape) is not 4-D (NHWC)")
        }
        return [shape[1], shape[2]]
    }

    private static func conv(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input")
        let filter = try ctx.constantInput(op, 1, "filter")
        guard filter.rank == 4, filter.shape[3] > 0, ctx.rank(x) == 4, ctx.shape(x)[3] % filter.shape[3] == 0 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): filter \(filter.shape) does not fit input "
                + "\(ctx.shape(x))")
        }
        try emitConv(op, ctx, x: x, weight: try Layout.toNCHW(filter), group: ctx.shape(x)[3] / filter.shape[3],
                     padding: try options.byte(0), strides: try pair(options, h: 2, w: 1, default: 1, "strides", ctx),
                     dilations: try pair(options, h: 5, w: 4, default: 1, "dilations", ctx),
                     activation: try options.byte(3))
    }

    private static func depthwiseConv(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input")
        let filter = try ctx.constantInput(op, 1, "filter")
        guard filter.rank == 4, filter.shape[0] == 1, ctx.rank(x) == 4, ctx.shape(x)[3] > 0 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): depthwise filter \(filter.shape) is not "
                + "[1, KH, KW, C×M] for input \(ctx.shape(x))")
        }
        // [1, KH, KW, C·M] → [C·M, 1, KH, KW]: one group per input channel.
        try emitConv(op, ctx, x: x, weight: try Kernels.transpose(filter, perm: [3, 0, 1, 2]), group: ctx.shape(x)[3],
                     padding: try options.byte(0), strides: try pair(options, h: 2, w: 1, default: 1, "strides", ctx),
                     dilations: try pair(options, h: 6, w: 5, default: 1, "dilations", ctx),
                     activation: try options.byte(4))
    }

    private static func emitConv(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, weight: Tensor, group: Int,
                                 padding: Int8, strides: [Int], dilations: [Int], activation: Int8) throws {
        let kernel = [weight.shape[2], weight.shape[3]]
        let attributes: [String: OnnxAttribute] = [
            "kernel_shape": .ints(kernel), "strides": .ints(strides), "dilations": .ints(dilations),
            "group": .int(group),
            "pads": .ints(pads(padding: padding, input: try spatial(x, ctx), kernel: kernel, strides: strides,
                               dilations: dilations)),
        ]
        if ctx.computesInIntegers(op) {
            return try IntegerTranslators.conv(op, ctx, x: x, weight: weight, attributes: attributes,
                                               activation: activation)
        }
        if HybridConv.applies(op, in: ctx.graph) {
            return try HybridConv.emit(op, ctx, x: x, weight: weight, attributes: attributes, activation: activation)
        }
        var inputs = [try ctx.value(x), ctx.addInitializer(weight, hint: "\(ctx.tensor(x).name)/weight")]
        if op.inputs.count > 2, op.inputs[2] >= 0 { inputs.append(try ctx.value(op.inputs[2])) }
        try ctx.emitFused("Conv", inputs, attributes, op: op, activation: activation)
    }

    private static func transposeConv(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let bias = op.inputs.count > 3 && op.inputs[3] >= 0 ? op.inputs[3] : nil
        try emitTransposeConv(op, ctx, x: try ctx.input(op, 2, "input"), filter: try ctx.constantInput(op, 1, "filter"),
                              bias: bias, strides: try pair(options, h: 2, w: 1, default: 1, "strides", ctx),
                              activation: try options.byte(3))
    }

    /// A transposed convolution of input tensor `x` with an OHWI `filter` to the output's
    /// static size: what the full transposed convolution makes beyond it is cut, half at the
    /// start (rounded down) and the rest at the end, as TFLite's kernels do.
    static func emitTransposeConv(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, filter: Tensor, bias: Int?,
                                  strides: [Int], activation: Int8) throws {
        let out = try ctx.output(op)
        let input = try spatial(x, ctx), output = ctx.shape(out)
        guard filter.rank == 4, output.count == 4, filter.shape[3] == ctx.shape(x)[3] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): filter \(filter.shape) or output \(output) "
                + "does not fit input \(ctx.shape(x))")
        }
        guard strides.allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): strides \(strides) must be at least 1")
        }
        let kernel = [filter.shape[1], filter.shape[2]]
        var begin: [Int] = [], end: [Int] = []
        for axis in 0..<2 {
            let total = (input[axis] - 1) * strides[axis] + kernel[axis] - output[axis + 1]
            guard total >= 0 else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): output \(output) is larger than the "
                    + "transposed convolution makes")
            }
            begin.append(total / 2)
            end.append(total - total / 2)
        }
        let attributes: [String: OnnxAttribute] = [
            "kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(begin + end),
        ]
        if ctx.computesInIntegers(op) {
            return try IntegerTransposeConv.emit(op, ctx, x: x, filter: filter, attributes: attributes,
                                                 activation: activation)
        }
        // [O, KH, KW, I] → ONNX ConvTranspose's [I, O, KH, KW].
        var inputs = [try ctx.value(x), ctx.addInitializer(try Kernels.transpose(filter, perm: [3, 0, 1, 2]),
                                                          hint: "\(ctx.tensor(x).name)/weight")]
        if let bias { inputs.append(try ctx.value(bias)) }
        try ctx.emitFused("ConvTranspose", inputs, attributes, op: op, activation: activation)
    }

    private static func pool(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input")
            let (kernel, strides, windowPads) = try window(op, ctx)
            if opType == "AveragePool", ctx.computesInIntegers(op) {
                return try IntegerTranslators.averagePool(op, ctx, x: x, kernel: kernel, strides: strides,
                                                          pads: windowPads, activation: try Options(op).byte(5))
            }
            var attributes: [String: OnnxAttribute] = [
                "kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(windowPads),
            ]
            // TFLite averages over the pixels inside the image only.
            if opType == "AveragePool" { attributes["count_include_pad"] = .int(0) }
            try ctx.emitFused(opType, [try ctx.value(x)], attributes, op: op, activation: try Options(op).byte(5))
        }
    }

    /// A pool's window (Pool2DOptions): kernel, strides and ONNX pads for input 0.
    private static func window(_ op: TFLiteOperator, _ ctx: TranslationContext) throws
        -> (kernel: [Int], strides: [Int], pads: [Int]) {
        let options = Options(op)
        let strides = try pair(options, h: 2, w: 1, default: 1, "strides", ctx)
        let kernel = try pair(options, h: 4, w: 3, default: 1, "filter size", ctx)
        let windowPads = pads(padding: try options.byte(0), input: try spatial(try ctx.input(op, 0, "input"), ctx),
                              kernel: kernel, strides: strides, dilations: [1, 1])
        return (kernel, strides, windowPads)
    }

    /// The float average of `value` (input 0's shape) over the pool window of `op`, counting
    /// only the pixels inside the image, as TFLite's AVERAGE_POOL_2D; returns the new value.
    static func averagePool(_ op: TFLiteOperator, _ ctx: TranslationContext, _ value: String) throws -> String {
        let (kernel, strides, windowPads) = try window(op, ctx)
        return ctx.emit("AveragePool", [value], ["kernel_shape": .ints(kernel), "strides": .ints(strides),
                                                 "pads": .ints(windowPads), "count_include_pad": .int(0)],
                        hint: value)
    }
}
