// Float elementwise math beyond the arithmetic and activations of ElementwiseTranslators: the
// unary functions (EXP, LOG, SQRT, RSQRT, ABS, NEG, FLOOR, CEIL, ROUND, SIN, COS, SQUARE, ELU,
// LEAKY_RELU, GELU), MAXIMUM, MINIMUM, POW, SQUARED_DIFFERENCE and FLOOR_DIV (float32, int32) with broadcasting,
// and LOG_SOFTMAX over the last TFLite axis. Elementwise ops are layout-free, so 4-D values stay
// NCHW-held.

import EFCore
import EFONNX
import Foundation

enum MathTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.exp: unary("Exp"), BuiltinOperator.log: unary("Log"), BuiltinOperator.sqrt: unary("Sqrt"),
        BuiltinOperator.abs: unary("Abs"), BuiltinOperator.neg: unary("Neg"), BuiltinOperator.floor: unary("Floor"),
        BuiltinOperator.ceil: unary("Ceil"), BuiltinOperator.round: unary("Round"), BuiltinOperator.sin: unary("Sin"),
        BuiltinOperator.cos: unary("Cos"), BuiltinOperator.elu: unary("Elu"), BuiltinOperator.rsqrt: rsqrt,
        BuiltinOperator.square: square, BuiltinOperator.leakyRelu: leakyRelu, BuiltinOperator.gelu: gelu,
        BuiltinOperator.maximum: binary("Max"), BuiltinOperator.minimum: binary("Min"),
        BuiltinOperator.pow: binary("Pow"), BuiltinOperator.squaredDifference: squaredDifference,
        BuiltinOperator.floorDiv: floorDiv, BuiltinOperator.floorMod: floorMod, BuiltinOperator.logSoftmax: logSoftmax,
    ]

    private static func operand(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> String {
        try ctx.value(try ctx.input(op, 0, "input"))
    }

    private static func unary(_ opType: String) -> OperatorTranslator {
        return { op, ctx in try ctx.emitFused(opType, [try operand(op, ctx)], op: op, activation: 0) }
    }

    private static func rsqrt(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let root = ctx.emit("Sqrt", [try operand(op, ctx)], hint: "rsqrt")
        try ctx.emitFused("Reciprocal", [root], op: op, activation: 0)
    }

    private static func square(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try operand(op, ctx)
        try ctx.emitFused("Mul", [x, x], op: op, activation: 0)
    }

    /// LEAKY_RELU: options field 0 is alpha.
    private static func leakyRelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try ctx.emitFused("LeakyRelu", [try operand(op, ctx)], ["alpha": .float(try Options(op).float(0, 0.2))],
                          op: op, activation: 0)
    }

    /// GELU: options field 0 chooses the tanh approximation.
    private static func gelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let approximate = try Options(op).bool(0) ? "tanh" : "none"
        try ctx.emitFused("Gelu", [try operand(op, ctx)], ["approximate": .string(Data(approximate.utf8))], op: op,
                          activation: 0)
    }

    /// Both operands of a broadcasting binary op, as `binary` of ElementwiseTranslators takes them.
    private static func operands(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> (String, String) {
        let rank = ctx.rank(try ctx.output(op))
        return (try ctx.broadcastOperand(try ctx.input(op, 0, "first"), outputRank: rank),
                try ctx.broadcastOperand(try ctx.input(op, 1, "second"), outputRank: rank))
    }

    private static func binary(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            let (a, b) = try operands(op, ctx)
            try ctx.emitFused(opType, [a, b], op: op, activation: 0)
        }
    }

    private static func squaredDifference(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let (a, b) = try operands(op, ctx)
        let difference = ctx.emit("Sub", [a, b], hint: "difference")
        try ctx.emitFused("Mul", [difference, difference], op: op, activation: 0)
    }

    /// FLOOR_DIV: floor(a / b) of floats; of int32 (a − a mod b) / b, exact, with mod taking the
    /// divisor's sign as floor division does.
    private static func floorDiv(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let type = ctx.tensor(try ctx.output(op)).typeCode
        guard type == 0 || type == 2 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): FLOOR_DIV is supported on float32 and int32")
        }
        let (a, b) = try operands(op, ctx)
        if type == 2 {
            let remainder = ctx.emit("Mod", [a, b], hint: "remainder")
            try ctx.emitFused("Div", [ctx.emit("Sub", [a, remainder], hint: "multiple"), b], op: op, activation: 0)
        } else {
            try ctx.emitFused("Floor", [ctx.emit("Div", [a, b], hint: "quotient")], op: op, activation: 0)
        }
    }

    /// FLOOR_MOD: the remainder with the divisor's sign. int32: ONNX Mod (fmod 0); float32 as
    /// TFLite computes it: r = fmod(a, b), plus b where r ≠ 0 and r and b differ in sign.
    private static func floorMod(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let type = ctx.tensor(try ctx.output(op)).typeCode
        guard type == 0 || type == 2 || type == 4 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): FLOOR_MOD is supported on float32, int32, int64")
        }
        let (a, b) = try operands(op, ctx)
        guard type == 0 else { return try ctx.emitFused("Mod", [a, b], op: op, activation: 0) }
        let truncated = ctx.emit("Mod", [a, b], ["fmod": .int(1)], hint: "fmod")
        let zero = ctx.float32(0, hint: "zero")
        let signs = ctx.emit("Xor", [ctx.emit("Less", [truncated, zero], hint: "r_negative"),
                                     ctx.emit("Less", [b, zero], hint: "b_negative")], hint: "signs_differ")
        let nonzero = ctx.emit("Not", [ctx.emit("Equal", [truncated, zero], hint: "r_zero")], hint: "r_nonzero")
        let wraps = ctx.emit("And", [signs, nonzero], hint: "wraps")
        try ctx.emitFused("Where", [wraps, ctx.emit("Add", [truncated, b], hint: "wrapped"), truncated], op: op,
                          activation: 0)
    }

    /// LOG_SOFTMAX over the last TFLite axis.
    private static func logSoftmax(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let rank = ctx.rank(try ctx.input(op, 0, "input"))
        try ctx.emitFused("LogSoftmax", [try operand(op, ctx)], ["axis": .int(Layout.nchwAxis(rank - 1, rank: rank))],
                          op: op, activation: 0)
    }
}
