// Elementwise TFLite operators: the broadcasting arithmetic (with fused activations), the
// activations, PRELU, and DEQUANTIZE of constant weights (float16 or int8/uint8) and DENSIFY of
// sparse ones, which are folded here so the weights are constants the conv translators can
// permute.

import EFCore
import EFONNX

enum ElementwiseTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.add: binary("Add"), BuiltinOperator.sub: binary("Sub"), BuiltinOperator.mul: binary("Mul"),
        BuiltinOperator.div: binary("Div"),
        BuiltinOperator.relu: unary("Relu"), BuiltinOperator.logistic: unary("Sigmoid"),
        BuiltinOperator.tanh: unary("Tanh"), BuiltinOperator.hardSwish: unary("HardSwish"),
        BuiltinOperator.relu6: clip(0, 6), BuiltinOperator.reluN1To1: clip(-1, 1),
        BuiltinOperator.prelu: prelu, BuiltinOperator.dequantize: dequantize, BuiltinOperator.densify: densify,
    ]

    /// ADD, SUB, MUL, DIV: options field 0 is the fused activation.
    private static func binary(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            let rank = ctx.rank(try ctx.output(op))
            let a = try ctx.broadcastOperand(try ctx.input(op, 0, "first"), outputRank: rank)
            let b = try ctx.broadcastOperand(try ctx.input(op, 1, "second"), outputRank: rank)
            try ctx.emitFused(opType, [a, b], op: op, activation: try Options(op).byte(0))
        }
    }

    private static func unary(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            try ctx.emitFused(opType, [try ctx.value(try ctx.input(op, 0, "input"))], op: op, activation: 0)
        }
    }

    private static func clip(_ low: Float, _ high: Float) -> OperatorTranslator {
        return { op, ctx in
            let out = ctx.outputName(try ctx.output(op))
            ctx.clip(try ctx.value(try ctx.input(op, 0, "input")), low, high, output: out)
        }
    }

    /// PRELU: alpha broadcasts against NHWC, so a 4-D input takes it in NCHW form.
    private static func prelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let rank = ctx.rank(try ctx.output(op))
        let x = try ctx.broadcastOperand(try ctx.input(op, 0, "input"), outputRank: rank)
        let alpha = try ctx.broadcastOperand(try ctx.input(op, 1, "alpha"), outputRank: rank)
        try ctx.emitFused("PRelu", [x, alpha], op: op, activation: 0)
    }

    /// DEQUANTIZE of a constant: folded to a float32 constant. Of a run-time int8/uint8 value:
    /// a DequantizeLinear node.
    private static func dequantize(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let index = try ctx.input(op, 0, "input")
        let out = try ctx.output(op)
        let source = ctx.tensor(index)
        guard let value = ctx.constant(index) else {
            try QuantTranslators.dequantizeLinear(index, into: out, ctx)
            return
        }
        if value.dtype == .float32 {
            ctx.setConstant(out, value)
        } else if let quantization = source.quantization, quantization.isPresent {
            ctx.setConstant(out, try TensorData.dequantized(value, quantization, name: source.name))
        } else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): constant '\(source.name)' of type "
                + "\(value.dtype.rawValue) has no quantization parameters")
        }
    }

    /// DENSIFY of a sparse constant (densified when it was read): the dense constant.
    private static func densify(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let index = try ctx.input(op, 0, "input")
        guard ctx.tensor(index).sparsity != nil, let value = ctx.rawConstant(index) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): its input '\(ctx.tensor(index).name)' is not "
                + "a sparse constant (Edgeflow densifies weights at import, not values at run time)")
        }
        ctx.setConstant(try ctx.output(op), value)
    }
}
