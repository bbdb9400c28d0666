// CONV_2D and DEPTHWISE_CONV_2D with float activations and int8 weights per output channel
// (TF's dynamic-range quantization), as LiteRT's hybrid per-channel kernels compute them: each
// batch's whole input image quantized asymmetrically at run time (DynamicQuantization), the int32 sums of
// w · (q − zp) over the taps inside the image, then float(acc) · weight scale[c] · input scale
// (in that order) + bias and the fused activation. The zero point is a run-time value, so the
// sums are ConvInteger(q, w) less zp times the weights summed over the taps inside the image
// (a constant map, folded at import from ConvInteger of an all-ones image).

import EFCore
import EFKernels
import EFONNX

enum HybridConv {
    /// Whether `op` (CONV_2D, DEPTHWISE_CONV_2D) reads float input with constant int8 weights of
    /// zero points 0 and writes float.
    static func applies(_ op: TFLiteOperator, in graph: TFLiteSubgraph) -> Bool {
        HybridFullyConnected.applies(op, in: graph)
    }

    /// - Parameters:
    ///   - weight: the int8 filter as ONNX's [O, I/group, KH, KW].
    ///   - attributes: the Conv attributes the float translation computed (kernel, strides,
    ///     dilations, pads, group).
    static func emit(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, weight: Tensor,
                     attributes: [String: OnnxAttribute], activation: Int8) throws {
        let out = try ctx.output(op)
        let channels = weight.shape[0]
        let scales = ctx.tensor(op.inputs[1]).quantization?.scale ?? []
        let group: Int
        if case .int(let value)? = attributes["group"] { group = value } else { group = 1 }
        guard weight.dtype == .int8, weight.rank == 4, scales.count == 1 || scales.count == channels,
              ctx.rank(x) == 4, weight.shape[1] * group == ctx.shape(x)[3] else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): a hybrid convolution needs int8 weights "
                + "with one scale or one per output channel over the input's channels")
        }
        let image = try ctx.value(x)
        let quantized = DynamicQuantization.asymmetric(image, axes: [1, 2, 3], ctx)
        let filter = ctx.addInitializer(weight, hint: "\(ctx.tensor(x).name)/weight")
        let sums = ctx.emit("ConvInteger", [quantized.quantized, filter], attributes, hint: ctx.tensor(out).name)
        // Σ w over the taps inside the image, per output position: a constant once folded.
        let shape = ctx.shape(x)
        let pixels = try CheckedSize.product(Array(shape.dropFirst()), ctx.opDescription, kind: .invalidModel)
        guard pixels <= FillTranslators.maxFoldedElements else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): a hybrid convolution over an input of \(pixels) "
                + "elements per image is over \(FillTranslators.maxFoldedElements)")
        }
        let ones = ctx.addInitializer(Tensor(shape: [1, shape[3], shape[1], shape[2]],
                                             scalars: [Int8](repeating: 1, count: pixels)), hint: "ones")
        let windowSums = ctx.emit("ConvInteger", [ones, filter], attributes, hint: "window_sums")
        let offset = quantized.offset ?? ctx.int32(0, hint: "zero_point")
        let centred = ctx.emit("Sub", [sums, ctx.emit("Mul", [offset, windowSums], hint: sums)], hint: sums)
        let perChannel = ctx.addInitializer(Tensor(shape: [1, scales.count, 1, 1], scalars: scales),
                                            hint: "weight_scales")
        let real = ctx.emit("Cast", [centred], ["to": .int(1)], hint: centred)
        // LiteRT's conv multiplies float(acc) by the channel's scale, then the input's; its
        // depthwise conv multiplies float(acc) by the product of the two.
        var value = group == 1
            ? ctx.emit("Mul", [ctx.emit("Mul", [real, perChannel], hint: centred), quantized.scale], hint: centred)
            : ctx.emit("Mul", [real, ctx.emit("Mul", [perChannel, quantized.scale], hint: "scale")], hint: centred)
        if op.inputs.count > 2, op.inputs[2] >= 0 {
            let bias = try ctx.constantInput(op, 2, "bias")
            guard bias.dtype == .float32, bias.count == channels else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): bias is \(bias.dtype.rawValue) "
                    + "\(bias.shape), not float32 [\(channels)]")
            }
            value = ctx.emit("Add", [value, ctx.addInitializer(bias.reshaped([channels, 1, 1]), hint: "bias")],
                             hint: value)
        }
        try ctx.activation(activation, value, output: ctx.outputName(out))
    }
}
