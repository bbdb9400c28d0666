// TRANSPOSE_CONV on int8 or uint8 tensors, exact as LiteRT's reference kernel: every output sums
// (x − zx)·(w − zw) in int32, adds the int32 bias and is requantized per output channel like
// CONV_2D. ONNX has no integer transposed convolution, so the products are summed by a float32
// ConvTranspose of the centred integers: each product and each partial sum is an integer below
// 2^24, which float32 holds exactly whatever the order of the additions. The input channels are
// split into groups whose sums are bounded below 2^24 (from the weights and the input's range,
// known at import); each group's sum is cast to int32 and the groups are added in int32.

import EFCore
import EFKernels
import EFONNX

enum IntegerTransposeConv {
    /// float32 represents every integer of magnitude up to 2^24 exactly.
    static let exactLimit = 1 << 24

    /// - Parameter attributes: the ConvTranspose attributes (kernel shape, strides, pads) the float
    ///   translation computed.
    static func emit(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, filter: Tensor,
                     attributes: [String: OnnxAttribute], activation: Int8) throws {
        let input = try IntegerTranslators.eightBit(x, ctx), out = try ctx.output(op)
        let output = try IntegerTranslators.eightBit(out, ctx)
        let channels = filter.shape[0]
        let quantization = try IntegerTranslators.filterQuantization(op.inputs[1], channels: channels,
                                                                     input: input, ctx)
        let centred = try centredWeights(filter, zeroPoint: quantization.zeroPoint, ctx)
        let inputRange = input.range
        let largestInput = max(abs(Int(inputRange.lowerBound) - Int(input.zeroPoint)),
                               abs(Int(inputRange.upperBound) - Int(input.zeroPoint)))
        let groups = try channelGroups(centred, largestInput: largestInput, ctx)
        let xFloat = ctx.emit("Sub", [ctx.emit("Cast", [try ctx.value(x)], ["to": .int(1)],
                                                       hint: ctx.tensor(x).name),
                                      ctx.float32(Float(input.zeroPoint), hint: "zero_point")], hint: "centred")
        // [O, KH, KW, I] → ONNX ConvTranspose's [I, O, KH, KW].
        let weights = try Kernels.transpose(centred, perm: [3, 0, 1, 2])
        var sum: String?
        for group in groups {
            let part = groups.count == 1 ? xFloat : ctx.emit("Slice", [
                xFloat, ctx.int64s([group.lowerBound], hint: "start"), ctx.int64s([group.upperBound], hint: "end"),
                ctx.int64s([1], hint: "axes"),
            ], hint: "channels")
            let groupWeights = try Kernels.slice(weights, starts: [group.lowerBound, 0, 0, 0],
                                                 ends: [group.upperBound] + weights.shape.dropFirst(),
                                                 steps: [1, 1, 1, 1])
            let products = ctx.emit("ConvTranspose", [part, ctx.addInitializer(groupWeights, hint: "weight")],
                                    attributes, hint: ctx.tensor(out).name)
            let exact = ctx.emit("Cast", [products], ["to": .int(6)], hint: products)
            sum = sum.map { ctx.emit("Add", [$0, exact], hint: exact) } ?? exact
        }
        guard var value = sum else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): filter \(filter.shape) has no input channels")
        }
        if let bias = try IntegerTranslators.bias(op, 3, channels: channels, rank: 4, axis: 1, ctx) {
            value = ctx.emit("Add", [value, bias], hint: value)
        }
        try ctx.requantize(value, by: IntegerTranslators.productScales(input, quantization.scales, output,
                                                                       channels: channels),
                           zeroPoint: output.zeroPoint, clamp: try ctx.activationRange(activation, output),
                           dtype: output.dtype, output: ctx.outputName(out))
    }

    /// The filter's integers minus its zero point, as float32 [O, KH, KW, I].
    private static func centredWeights(_ filter: Tensor, zeroPoint: Int32, _ ctx: TranslationContext) throws -> Tensor {
        guard filter.rank == 4, filter.dtype == .int8 || filter.dtype == .uint8 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): filter is \(filter.dtype.rawValue) "
                + "\(filter.shape), not int8 or uint8 [O, KH, KW, I]")
        }
        let values = try Kernels.cast(filter, to: .float32).scalars(as: Float.self).map { $0 - Float(zeroPoint) }
        return Tensor(shape: filter.shape, scalars: values)
    }

    /// Consecutive input channel ranges in each of which every output's sum of
    /// |x − zx|·|w − zw| stays below 2^24.
    /// - Throws: `.unsupported` when one input channel alone can reach 2^24 (a kernel of over 256 taps).
    private static func channelGroups(_ centred: Tensor, largestInput: Int,
                                      _ ctx: TranslationContext) throws -> [Range<Int>] {
        let (outputs, taps, inputs) = (centred.shape[0], centred.shape[1] * centred.shape[2], centred.shape[3])
        let weights = centred.scalars(as: Float.self)
        // bound[o][i]: the most channel i can add to one output of channel o.
        var groups: [Range<Int>] = [], start = 0
        var running = [Int](repeating: 0, count: outputs)
        for i in 0..<inputs {
            let bounds = (0..<outputs).map { o in
                (0..<taps).reduce(0) { $0 + Int(abs(weights[(o * taps + $1) * inputs + i])) } * largestInput
            }
            guard bounds.allSatisfy({ $0 < exactLimit }) else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): one input channel's integer sums can "
                    + "reach 2^24 (a \(centred.shape[1])×\(centred.shape[2]) kernel); Edgeflow sums them exactly "
                    + "in float32 only below that")
            }
            if zip(running, bounds).contains(where: { $0 + $1 >= exactLimit }) {
                groups.append(start..<i)
                start = i
                running = bounds
            } else {
                running = zip(running, bounds).map(+)
            }
        }
        groups.append(start..<inputs)
        return groups.filter { !$0.isEmpty }
    }
}
