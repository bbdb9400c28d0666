// The int8 operators TF's converter makes of a LayerNormalization besides MEAN, ADD and MUL:
// SQUARED_DIFFERENCE (TFLite's rescaling of both operands to 2^7 · the larger scale, squared,
// rescaled to the output) and RSQRT (LiteRT's fixed-point inverse square root as a table,
// RsqrtTable), each giving LiteRT's bytes.

import EFCore
import EFONNX

extension IntegerTranslators {
    /// SQUARED_DIFFERENCE on int8 (TFLite's squared_difference.cc): each operand (q − z)·2^7
    /// rescaled by s_i / (2·max s), the difference squared, rescaled by (2·max s)² / (2^14·s_y).
    static func squaredDifference(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let (a, b, out) = (try ctx.input(op, 0, "first"), try ctx.input(op, 1, "second"), try ctx.output(op))
        let qa = try eightBit(a, ctx), qb = try eightBit(b, ctx), qy = try eightBit(out, ctx)
        guard qa.dtype == .int8, qb.dtype == .int8, qy.dtype == .int8 else {
            throw EdgeflowError(.unsupported,
                                "\(ctx.opDescription): LiteRT's quantized SQUARED_DIFFERENCE is int8 only")
        }
        let twiceMax = Double(2 * Swift.max(qa.scale, qb.scale))
        func scaled(_ index: Int, _ q: TensorQuantization) throws -> String {
            try commonScaleOperand(index, q, leftShift: 7, twiceMax: twiceMax, outputRank: ctx.rank(out), ctx)
        }
        let difference = ctx.emit("Sub", [try scaled(a, qa), try scaled(b, qb)], hint: ctx.tensor(out).name)
        let squared = ctx.emit("Mul", [difference, difference], hint: difference)
        let real = twiceMax * twiceMax / Double(Float(1 << 14) * qy.scale)
        try ctx.requantize(squared, by: [real], zeroPoint: qy.zeroPoint, clamp: qy.range, dtype: qy.dtype,
                           output: ctx.outputName(out))
    }

    /// RSQRT on int8: LiteRT's fixed-point inverse square root, one result per value (RsqrtTable).
    static func rsqrt(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        guard let table = RsqrtTable.make(qx, qy) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): LiteRT's quantized RSQRT is int8 only")
        }
        try gather(table, x, qx, out, qy, ctx)
    }
}
