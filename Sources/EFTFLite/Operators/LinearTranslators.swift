// FULLY_CONNECTED (flattening in TFLite's memory order), SOFTMAX (on the last TFLite axis,
// with beta) and MEAN (axes remapped; without keep_dims the result is put back in TFLite's
// axis order).

import EFCore
import EFONNX

enum LinearTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.fullyConnected: fullyConnected, BuiltinOperator.softmax: softmax, BuiltinOperator.mean: mean,
    ]

    /// FULLY_CONNECTED: y = x·Wᵀ + b with W [out, in], x flattened to [−1, in]; options:
    /// fused activation (field 0), weights format (1, only DEFAULT), keep_num_dims (2).
    private static func fullyConnected(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        guard try options.byte(1) == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): shuffled weights format is not supported")
        }
        let x = try ctx.input(op, 0, "input")
        let weights = try ctx.input(op, 1, "weights")
        let out = try ctx.output(op)
        guard ctx.rank(weights) == 2, ctx.shape(weights)[1] > 0 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): weights \(ctx.shape(weights)) are not [out, in]")
        }
        let flat = ctx.emit("Reshape", [try ctx.valueInTFLiteOrder(x), ctx.int64s([-1, ctx.shape(weights)[1]],
                                                                                hint: "shape")], hint: "flat")
        var inputs = [flat, try ctx.value(weights)]
        if op.inputs.count > 2, op.inputs[2] >= 0 { inputs.append(try ctx.value(op.inputs[2])) }
        let product = ctx.emit("Gemm", inputs, ["transB": .int(1)], hint: ctx.tensor(out).name)
        let activated = try ctx.activation(try options.byte(0), product)
        ctx.produceInTFLiteOrder(out) { name in
            ctx.emit("Reshape", [activated, ctx.int64s(ctx.shape(out), hint: "shape")], output: name, hint: activated)
        }
    }

    /// SOFTMAX over the last axis of softmax(beta · x).
    private static func softmax(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let beta = try Options(op).float(0, 1)
        var value = try ctx.value(x)
        if beta != 1 { value = ctx.emit("Mul", [value, ctx.float32(beta, hint: "beta")], hint: value) }
        try ctx.emitFused("Softmax", [value], ["axis": .int(Layout.nchwAxis(rank - 1, rank: rank))], op: op,
                          activation: 0)
    }

    /// MEAN over constant axes; options: keep_dims (field 0).
    private static func mean(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let keep = try Options(op).bool(0)
        let axes = try ctx.constantInput(op, 1, "axes").intValues("\(ctx.opDescription) axes")
        guard axes.allSatisfy({ $0 >= -rank && $0 < rank }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axes \(axes) are outside rank \(rank)")
        }
        let tfliteAxes = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        if ctx.computesInIntegers(op) {
            return try IntegerTranslators.mean(op, ctx, x: x, axes: tfliteAxes, keep: keep)
        }
        let held = tfliteAxes.map { Layout.nchwAxis($0, rank: rank) }.sorted()
        let attributes: [String: OnnxAttribute] = ["axes": .ints(held), "keepdims": .int(keep ? 1 : 0)]
        let out = try ctx.output(op)
        guard rank == 4, !keep else {
            ctx.emit("ReduceMean", [try ctx.value(x)], attributes, output: ctx.outputName(out), hint: "mean")
            return
        }
        // The kept TFLite axes in the order the NCHW-held result lists them.
        let kept = Layout.toNCHWPerm.filter { !tfliteAxes.contains($0) }
        let order = kept.sorted().map { kept.firstIndex(of: $0)! }
        if order == Array(order.indices) {
            ctx.emit("ReduceMean", [try ctx.value(x)], attributes, output: ctx.outputName(out), hint: "mean")
        } else {
            let reduced = ctx.emit("ReduceMean", [try ctx.value(x)], attributes, hint: "mean")
            ctx.emit("Transpose", [reduced], ["perm": .ints(order)], output: ctx.outputName(out), hint: reduced)
        }
    }
}
