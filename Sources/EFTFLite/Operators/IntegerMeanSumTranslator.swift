// MEAN and SUM on int8/uint8, as TFLite's reference kernels compute them. MEAN: the integer sum
// of (q − z_x) over the axes, then one fixed-point rescale by s_x/s_y whose multiplier absorbs
// 1/count (shifted left by ⌊log2 count⌋, at most 32 and 31 + shift, then divided by the count),
// + z_y, saturated. SUM as LiteRT's builtin kernels compute it (its reference kernels give other
// values, docs/tflite.md): the integer sum of the stored values, times s_x/s_y plus the bias
// (−z_x·s_x/s_y)·count, both in float32, rounded half away from zero, + z_y, saturated.

import EFCore
import EFONNX

extension IntegerTranslators {
    /// - Parameter axes: the TFLite axes, normalized to 0..<rank.
    static func mean(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, axes: Set<Int>, keep: Bool) throws {
        let out = try ctx.output(op)
        let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
        let rank = ctx.rank(x), shape = ctx.shape(x)
        let kept = Layout.toNCHWPerm.filter { !axes.contains($0) }
        let count = axes.reduce(Int64(1)) { $0 * Int64(shape[$1]) }
        guard qx.dtype == qy.dtype, qx.dtype != .int16, !axes.isEmpty, count > 0, count < 1 << 31,
              keep || rank != 4 || kept == kept.sorted() else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): this quantized MEAN (axes \(axes.sorted()) of "
                + "\(shape), keep_dims \(keep)) is not supported")
        }
        let held = axes.map { Layout.nchwAxis($0, rank: rank) }.sorted()
        let sum = ctx.emit("ReduceSum", [ctx.widened(try ctx.value(x), qx), ctx.int64s(held, hint: "axes")],
                           ["keepdims": .int(keep ? 1 : 0)], hint: ctx.tensor(out).name)
        let (multiplier, shift) = try ctx.fixedPoint(Double(qx.scale) / Double(qy.scale))
        let bits = Int32(63 - count.leadingZeroBitCount)
        let extra = Swift.min(Swift.min(bits, 32), 31 + shift)
        let folded = Int32(truncatingIfNeeded: (Int64(multiplier) << Int64(extra)) / count)
        ctx.requantize(sum, multipliers: [folded], shifts: [shift - extra], zeroPoint: qy.zeroPoint, clamp: qy.range,
                       dtype: qy.dtype, output: ctx.outputName(out))
    }

    /// SUM on int8/uint8 over the TFLite axes `axes` (normalized to 0..<rank).
    static func sum(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, axes: Set<Int>, keep: Bool) throws {
        let out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        let rank = ctx.rank(x), shape = ctx.shape(x)
        let kept = Layout.toNCHWPerm.filter { !axes.contains($0) }
        let count = axes.reduce(1) { $0 * shape[$1] }
        guard qx.dtype == qy.dtype, !axes.isEmpty, count < 1 << 24, keep || rank != 4 || kept == kept.sorted() else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): this quantized SUM (axes \(axes.sorted()) of "
                + "\(shape), keep_dims \(keep)) is not supported")
        }
        let held = axes.map { Layout.nchwAxis($0, rank: rank) }.sorted()
        let stored = ctx.emit("Cast", [try ctx.value(x)], ["to": .int(OnnxDataType.code(.int32))], hint: "stored")
        let total = ctx.emit("ReduceSum", [stored, ctx.int64s(held, hint: "axes")], ["keepdims": .int(keep ? 1 : 0)],
                             hint: ctx.tensor(out).name)
        let scale = qx.scale / qy.scale, bias = Float(-qx.zeroPoint) * scale * Float(count)
        func float(_ value: Float, _ hint: String) -> String {
            ctx.addInitializer(Tensor(shape: [], scalars: [value]), hint: hint)
        }
        let sum = ctx.emit("Cast", [total], ["to": .int(OnnxDataType.code(.float32))], hint: total)
        let scaled = ctx.emit("Mul", [sum, float(scale, "scale")], hint: total)
        let real = ctx.emit("Add", [scaled, float(bias, "bias")], hint: total)
        // Rounded half away from zero, + z_y, saturated: TFLite's float requantization (exact in float64).
        _ = ctx.roundingRequantize(real, by: [1], zeroPoint: qy.zeroPoint, clamp: qy.range, dtype: qy.dtype,
                                   output: ctx.outputName(out))
    }
}
