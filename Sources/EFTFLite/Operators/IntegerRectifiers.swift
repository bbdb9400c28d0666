// LEAKY_RELU and PRELU on int8, as TFLite's kernels (activations.cc) compute them: the input
// (q − z_x) is rescaled by the identity factor s_x/s_y where it is not negative and by the
// slope's factor where it is (LEAKY_RELU: α·s_x/s_y; PRELU: (a − z_α)·(q − z_x) rescaled by
// s_x·s_α/s_y), each with the Q31 fixed point of `fixedPointRequantize`, plus z_y, saturated.
// The factors are computed in float32, as TFLite's Prepare does, then quantized from double.
// LEAKY_RELU has one input, so it becomes a 256-entry table; PRELU's slope varies per element.

import EFCore
import EFKernels

extension IntegerTranslators {
    /// LEAKY_RELU (options: alpha, field 0) as a table over the 256 int8 values.
    static func leakyRelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
        guard qx.dtype == .int8, qy.dtype == .int8 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): only int8 LEAKY_RELU is supported")
        }
        let alpha = try Options(op).float(0, 0.2)
        let identity = try ctx.fixedPoint(Double(qx.scale / qy.scale))
        let slope = try ctx.fixedPoint(Double(qx.scale * alpha / qy.scale))
        let table = Tensor(shape: [256], scalars: (-128...127).map { value -> Int8 in
            let centered = Int32(value) - qx.zeroPoint
            let factor = centered >= 0 ? identity : slope
            let scaled = Kernels.multiplyByQuantizedMultiplier(centered, factor.multiplier, factor.shift)
            return Int8(Swift.min(Swift.max(Int64(scaled) + Int64(qy.zeroPoint), -128), 127))
        })
        try gather(table, x, out, ctx)
    }

    /// PRELU with a constant int8 slope quantized per tensor, broadcast as TFLite broadcasts it.
    static func prelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), alpha = try ctx.input(op, 1, "alpha"), out = try ctx.output(op)
        let qx = try int8(x, ctx), qa = try int8(alpha, ctx), qy = try int8(out, ctx)
        let rank = ctx.rank(out)
        let centered = ctx.widened(try ctx.broadcastOperand(x, outputRank: rank), qx)
        let slope = ctx.widened(try ctx.broadcastOperand(alpha, outputRank: rank), qa)
        let positive = try ctx.requantize(centered, by: [Double(qx.scale / qy.scale)], zeroPoint: qy.zeroPoint,
                                          clamp: qy.range, dtype: .int8)
        let product = ctx.emit("Mul", [centered, slope], hint: "slope")
        let negative = try ctx.requantize(product, by: [Double(qx.scale * qa.scale / qy.scale)],
                                          zeroPoint: qy.zeroPoint, clamp: qy.range, dtype: .int8)
        let notNegative = ctx.emit("GreaterOrEqual", [centered, ctx.int32(0, hint: "zero")], hint: "sign")
        ctx.emit("Where", [notNegative, positive, negative], output: ctx.outputName(out), hint: "prelu")
    }
}
