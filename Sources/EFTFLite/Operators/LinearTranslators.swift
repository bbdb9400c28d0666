// FULLY_CONNECTED (flattening in TFLite's memory order) and SOFTMAX (on the last TFLite axis,
// with beta).

import EFCore
import EFONNX

enum LinearTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.fullyConnected: fullyConnected, BuiltinOperator.softmax: softmax,
    ]

    /// FULLY_CONNECTED: y = x·Wᵀ + b with W [out, in], x flattened to [−1, in]; options:
    /// fused activation (field 0), weights format (1, only DEFAULT), keep_num_dims (2).
    private static func fullyConnected(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        if HybridFullyConnected.applies(op, in: ctx.graph) { return try HybridFullyConnected.emit(op, ctx) }
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
        let shape = try ctx.fullyConnectedShape(op, units: ctx.shape(weights)[0], depth: ctx.shape(weights)[1])
        ctx.produceInTFLiteOrder(out) { name in
            ctx.emit("Reshape", [activated, ctx.int64s(shape, hint: "shape")], output: name, hint: activated)
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
}
