// EQUAL … GREATER_EQUAL on two int8/uint8 operands, as LiteRT compares them (comparisons.cc
// ComparisonQuantized): each operand (q − z)·2^8 is multiplied by its own scale in TFLite's Q31
// fixed point (QuantizeMultiplierSmallerThanOneExp, so scales must be below 1) and the int32
// results are compared, which makes operands of different quantizations comparable.

import EFCore

enum IntegerComparisons {
    /// Whether either operand of the comparison `op` is an 8-bit quantized tensor.
    static func applies(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> Bool {
        try (0..<2).contains { ctx.isQuantizedInteger(try ctx.input(op, $0, "operand \($0)")) }
    }

    /// The two operands rescaled to LiteRT's common int32 form, broadcast to the output's rank.
    /// - Throws: `.unsupported` naming the operator when only one operand is quantized, one is
    ///   int16, or a scale is not below 1 (LiteRT refuses those too).
    static func operands(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> [String] {
        let rank = ctx.rank(try ctx.output(op))
        return try (0..<2).map { position in
            let index = try ctx.input(op, position, "operand \(position)")
            guard ctx.isQuantizedInteger(index) else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): operand '\(ctx.tensor(index).name)' is not "
                    + "quantized while the other is; Edgeflow compares quantized operands only with each other")
            }
            let q = try IntegerTranslators.eightBit(index, ctx)
            guard q.scale < 1 else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): operand '\(ctx.tensor(index).name)' has "
                    + "scale \(q.scale); LiteRT's quantized comparison takes scales below 1 only")
            }
            return try IntegerTranslators.commonScaleOperand(index, q, leftShift: 8, twiceMax: 1, outputRank: rank,
                                                             ctx)
        }
    }
}
