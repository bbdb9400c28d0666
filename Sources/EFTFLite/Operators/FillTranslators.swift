// TFLite operators that make or rearrange whole tensors: ZEROS_LIKE, FILL and RANGE (folded to
// constants: their sizes are static), BROADCAST_TO, REVERSE_V2 (a Slice with step −1 per axis),
// CUMSUM (exclusive, reverse) and ADD_N, SIGN, RELU_0_TO_1 (float).

import EFCore
import EFKernels
import EFONNX

enum FillTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.zerosLike: zerosLike, BuiltinOperator.fill: fill, BuiltinOperator.range: range,
        BuiltinOperator.broadcastTo: broadcastTo, BuiltinOperator.reverseV2: reverse,
        BuiltinOperator.cumsum: cumulativeSum, BuiltinOperator.addN: addN, BuiltinOperator.sign: sign,
        BuiltinOperator.relu0To1: reluZeroToOne,
    ]

    /// The most elements a folded FILL, ZEROS_LIKE or RANGE, or any constant the importer makes
    /// from a shape rather than from stored data, may have (64 Mi).
    static let maxFoldedElements = 1 << 26

    /// Zeros of `shape` for a constant the translation makes (a state, a scatter base).
    /// - Throws: `.invalidModel` for a negative or overflowing shape, `.unsupported` over `maxFoldedElements`.
    static func zeros(_ dtype: DType, _ shape: [Int], _ ctx: TranslationContext) throws -> Tensor {
        _ = try count(shape, ctx)
        return Tensor(zeros: dtype, shape: shape)
    }

    private static func folded(_ out: Int, _ values: [Double], shape: [Int], _ ctx: TranslationContext) throws {
        guard let dtype = TensorData.dtype(ctx.tensor(out).typeCode), [.float32, .int32, .int64].contains(dtype) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): output '\(ctx.tensor(out).name)' is "
                + "\(TensorData.typeName(ctx.tensor(out).typeCode)); Edgeflow folds float32, int32 and int64 here")
        }
        guard values.count == shape.reduce(1, *), ctx.fits(shape, out) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(values.count) values for output \(shape)")
        }
        let wide = Tensor(shape: shape, scalars: values)
        ctx.setConstant(out, try Kernels.cast(wide, to: dtype))
    }

    private static func count(_ shape: [Int], _ ctx: TranslationContext) throws -> Int {
        let count = try CheckedSize.product(shape, ctx.opDescription, kind: .invalidModel)
        guard count <= maxFoldedElements else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): a constant of \(count) elements is over "
                + "\(maxFoldedElements)")
        }
        return count
    }

    private static func zerosLike(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let out = try ctx.output(op), shape = ctx.shape(try ctx.input(op, 0, "input"))
        try folded(out, [Double](repeating: 0, count: try count(shape, ctx)), shape: shape, ctx)
    }

    /// FILL(dims, value): the declared output shape must be dims (where it is known).
    private static func fill(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let out = try ctx.output(op)
        let dims = try ctx.constantInput(op, 0, "dims").intValues("\(ctx.opDescription) dims")
        let value = try ctx.constantInput(op, 1, "value")
        guard ctx.fits(dims, out), value.count == 1 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): dims \(dims) and a value of \(value.count) "
                + "elements for output \(ctx.shape(out))")
        }
        try folded(out, [Double](repeating: value.doubleValues()[0], count: try count(dims, ctx)), shape: dims, ctx)
    }

    /// RANGE(start, limit, delta) of constants: start + k·delta while short of limit.
    private static func range(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let out = try ctx.output(op)
        let ends = try (0..<3).map { try ctx.constantInput(op, $0, ["start", "limit", "delta"][$0]) }
        guard ends.allSatisfy({ $0.count == 1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): start, limit and delta must be scalars")
        }
        let (start, limit, delta) = (ends[0].doubleValues()[0], ends[1].doubleValues()[0], ends[2].doubleValues()[0])
        let steps = ((limit - start) / delta).rounded(.up)
        guard delta != 0, steps.isFinite, steps < Double(maxFoldedElements),
              ctx.fits([Int(Swift.max(0, steps))], out) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): range(\(start), \(limit), \(delta)) does not "
                + "give the declared \(ctx.shape(out)) elements")
        }
        let total = try count([Int(Swift.max(0, steps))], ctx)
        try folded(out, (0..<total).map { start + Double($0) * delta }, shape: [total], ctx)
    }

    /// BROADCAST_TO the declared output shape (numpy rules), in TFLite's order.
    private static func broadcastTo(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        guard ctx.rank(x) <= ctx.rank(out) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): input \(ctx.shape(x)) has a higher rank than "
                + "output \(ctx.shape(out))")
        }
        let value = try ctx.valueInTFLiteOrder(x)
        ctx.produceInTFLiteOrder(out) {
            ctx.emit("Expand", [value, ctx.int64s(ctx.shape(out), hint: "shape")], output: $0, hint: value)
        }
    }

    /// REVERSE_V2 along the constant axes: one Slice with step −1 per axis, in the held order.
    private static func reverse(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let axes = try ctx.constantInput(op, 1, "axes").intValues("\(ctx.opDescription) axes")
        guard !axes.isEmpty, axes.allSatisfy({ $0 >= -rank && $0 < rank }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axes \(axes) are empty or outside rank \(rank)")
        }
        let held = Set(axes.map { Layout.nchwAxis($0, rank: rank) }).sorted()
        let far = Int(Int32.max)
        try ctx.emitFused("Slice", [
            try ctx.value(x), ctx.int64s(held.map { _ in -1 }, hint: "starts"),
            ctx.int64s(held.map { _ in -far }, hint: "ends"), ctx.int64s(held, hint: "axes"),
            ctx.int64s(held.map { _ in -1 }, hint: "steps"),
        ], op: op, activation: 0)
    }

    /// CUMSUM(x, axis) with CumsumOptions exclusive (field 0) and reverse (field 1).
    private static func cumulativeSum(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let axis = try ctx.constantInput(op, 1, "axis").intValues("\(ctx.opDescription) axis")
        guard axis.count == 1, axis[0] >= -rank, axis[0] < rank else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axis \(axis) is not one axis of rank \(rank)")
        }
        let held = ctx.addInitializer(Tensor(shape: [], scalars: [Int64(Layout.nchwAxis(axis[0], rank: rank))]),
                                      hint: "axis")
        try ctx.emitFused("CumSum", [try ctx.value(x), held], [
            "exclusive": .int(try options.bool(0) ? 1 : 0), "reverse": .int(try options.bool(1) ? 1 : 0),
        ], op: op, activation: 0)
    }

    private static func addN(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        guard !op.inputs.isEmpty else { throw EdgeflowError(.invalidModel, "\(ctx.opDescription) has no inputs") }
        try ctx.emitFused("Sum", try op.inputs.indices.map { try ctx.value(try ctx.input(op, $0, "input \($0)")) },
                          op: op, activation: 0)
    }

    private static func sign(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try ctx.emitFused("Sign", [try ctx.value(try ctx.input(op, 0, "input"))], op: op, activation: 0)
    }

    private static func reluZeroToOne(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        ctx.clip(try ctx.value(try ctx.input(op, 0, "input")), 0, 1, output: ctx.outputName(try ctx.output(op)))
    }
}
