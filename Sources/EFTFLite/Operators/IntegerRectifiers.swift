// LEAKY_RELU and PRELU on int8/uint8, as TFLite's kernels (activations.cc) compute them: the input
// (q − z_x) is rescaled by the identity factor s_x/s_y where it is not negative and by the
// slope's factor where it is (LEAKY_RELU: α·s_x/s_y; PRELU: (a − z_α)·(q − z_x) rescaled by
// s_x·s_α/s_y), each with the Q31 fixed point of `fixedPointRequantize`, plus z_y, saturated.
// The factors are computed in float32, as TFLite's Prepare does, then quantized from double.
// LEAKY_RELU has one input, so it becomes a 256-entry table; PRELU's slope varies per element.

import EFCore
import EFKernels

extension IntegerTranslators {
    /// LEAKY_RELU (options: alpha, field 0) as a table over the 256 input values.
    static func leakyRelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        let alpha = try Options(op).float(0, 0.2)
        let identity = try ctx.fixedPoint(Double(qx.scale / qy.scale))
        let slope = try ctx.fixedPoint(Double(qx.scale * alpha / qy.scale))
        let table = qx.range.map { value -> Int32 in
            let centered = value - qx.zeroPoint
            let factor = centered >= 0 ? identity : slope
            let scaled = Int64(Kernels.multiplyByQuantizedMultiplier(centered, factor.multiplier, factor.shift))
            return Int32(Swift.min(Swift.max(scaled + Int64(qy.zeroPoint), Int64(qy.range.lowerBound)),
                                   Int64(qy.range.upperBound)))
        }
        try gather(table, x, qx, out, qy, ctx)
    }

    /// PRELU with a constant 8-bit slope quantized per tensor, broadcast as TFLite broadcasts it.
    static func prelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), alpha = try ctx.input(op, 1, "alpha"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qa = try eightBit(alpha, ctx), qy = try eightBit(out, ctx)
        let rank = ctx.rank(out)
        let centered = ctx.widened(try ctx.broadcastOperand(x, outputRank: rank), qx)
        let slope = ctx.widened(try ctx.broadcastOperand(alpha, outputRank: rank), qa)
        let positive = try ctx.requantize(centered, by: [Double(qx.scale / qy.scale)], zeroPoint: qy.zeroPoint,
                                          clamp: qy.range, dtype: qy.dtype)
        let product = ctx.emit("Mul", [centered, slope], hint: "slope")
        let negative = try ctx.requantize(product, by: [Double(qx.scale * qa.scale / qy.scale)],
                                          zeroPoint: qy.zeroPoint, clamp: qy.range, dtype: qy.dtype)
        let notNegative = ctx.emit("GreaterOrEqual", [centered, ctx.int32(0, hint: "zero")], hint: "sign")
        ctx.emit("Where", [notNegative, positive, negative], output: ctx.outputName(out), hint: "prelu")
    }
}
