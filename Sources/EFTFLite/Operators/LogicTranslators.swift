// SHAPE (folded: every TFLite shape Edgeflow imports is static), the comparisons EQUAL …
// GREATER_EQUAL (bool results, operands broadcast as TFLite broadcasts them; int8/uint8 operands
// rescaled first, IntegerComparisons), LOGICAL_AND/OR/NOT, and SELECT/SELECT_V2 as a Where (on
// int8 values too: LiteRT copies the stored values).

import EFCore
import EFONNX

enum LogicTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.shape: shape,
        BuiltinOperator.equal: compare("Equal"), BuiltinOperator.less: compare("Less"),
        BuiltinOperator.lessEqual: compare("LessOrEqual"), BuiltinOperator.greater: compare("Greater"),
        BuiltinOperator.greaterEqual: compare("GreaterOrEqual"), BuiltinOperator.notEqual: notEqual,
        BuiltinOperator.logicalAnd: compare("And"), BuiltinOperator.logicalOr: compare("Or"),
        BuiltinOperator.logicalNot: logicalNot,
        BuiltinOperator.select: select(broadcasting: false), BuiltinOperator.selectV2: select(broadcasting: true),
    ]

    /// SHAPE: the input's static shape as a constant of the output's type (int32 or int64).
    private static func shape(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let dims = ctx.shape(x)
        switch TensorData.dtype(ctx.tensor(out).typeCode) {
        case .int32?: ctx.setConstant(out, Tensor(shape: [dims.count], scalars: dims.map { Int32($0) }))
        case .int64?: ctx.setConstant(out, Tensor(shape: [dims.count], scalars: dims.map { Int64($0) }))
        default:
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): output '\(ctx.tensor(out).name)' is "
                + "\(TensorData.typeName(ctx.tensor(out).typeCode)), not INT32 or INT64")
        }
    }

    private static func operands(_ op: TFLiteOperator, _ ctx: TranslationContext, count: Int) throws -> [String] {
        let rank = ctx.rank(try ctx.output(op))
        return try (0..<count).map {
            try ctx.broadcastOperand(try ctx.input(op, $0, "operand \($0)"), outputRank: rank)
        }
    }

    private static func compare(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            try ctx.emitFused(opType, try comparedOperands(op, ctx), op: op, activation: 0)
        }
    }

    private static func notEqual(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let equal = ctx.emit("Equal", try comparedOperands(op, ctx), hint: "equal")
        try ctx.emitFused("Not", [equal], op: op, activation: 0)
    }

    /// The two operands of a comparison: as they are, or rescaled as LiteRT compares quantized ones.
    private static func comparedOperands(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> [String] {
        try IntegerComparisons.applies(op, ctx) ? try IntegerComparisons.operands(op, ctx)
            : try operands(op, ctx, count: 2)
    }

    private static func logicalNot(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try ctx.emitFused("Not", [try ctx.value(try ctx.input(op, 0, "input"))], op: op, activation: 0)
    }

    /// SELECT_V2 broadcasts its three operands; SELECT takes a condition of the output's shape, or
    /// a rank-1 condition choosing whole slices along the first axis.
    private static func select(broadcasting: Bool) -> OperatorTranslator {
        return { op, ctx in
            let condition = try ctx.input(op, 0, "condition"), out = try ctx.output(op)
            let rank = ctx.rank(out)
            guard broadcasting || ctx.rank(condition) != 1 || rank <= 1 else {
                let rows = ctx.shape(condition)
                let shape = ctx.int64s(rows + [Int](repeating: 1, count: rank - 1), hint: "shape")
                let reshaped = ctx.emit("Reshape", [try ctx.value(condition), shape], hint: "condition")
                let values = try (1...2).map {
                    try ctx.broadcastOperand(try ctx.input(op, $0, "operand \($0)"), outputRank: rank)
                }
                return try ctx.emitFused("Where", [reshaped] + values, op: op, activation: 0)
            }
            try ctx.emitFused("Where", try operands(op, ctx, count: 3), op: op, activation: 0)
        }
    }
}
