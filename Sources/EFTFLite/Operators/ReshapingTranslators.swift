// Operators that split, join, repeat, gather or retype values: SQUEEZE and EXPAND_DIMS (a
// reshape to the static output shape), SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE, PADV2,
// MIRROR_PAD, SPACE_TO_DEPTH, BATCH_MATMUL and CAST. Ops that keep the rank act on 4-D values as
// held (NCHW, axes and per-axis parameters remapped); ops that change it work in TFLite's order.

import EFCore
import EFONNX
import Foundation

enum ReshapingTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.squeeze: ShapeTranslators.reshape, BuiltinOperator.expandDims: ShapeTranslators.reshape,
        BuiltinOperator.split: split(valueInput: 1, axisInput: 0),
        BuiltinOperator.splitV: split(valueInput: 0, axisInput: 2),
        BuiltinOperator.pack: pack, BuiltinOperator.unpack: unpack, BuiltinOperator.gather: gather,
        BuiltinOperator.tile: tile, BuiltinOperator.padV2: padV2, BuiltinOperator.mirrorPad: mirrorPad,
        BuiltinOperator.spaceToDepth: spaceToDepth, BuiltinOperator.batchMatMul: batchMatMul,
        BuiltinOperator.cast: cast,
    ]

    /// A constant scalar axis input, made non-negative for `rank`.
    private static func axis(_ op: TFLiteOperator, _ position: Int, rank: Int,
                             _ ctx: TranslationContext) throws -> Int {
        let values = try ctx.constantInput(op, position, "axis").intValues("\(ctx.opDescription) axis")
        guard values.count == 1, values[0] >= -rank, values[0] < rank else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axis \(values) is not one axis of rank \(rank)")
        }
        return values[0] < 0 ? values[0] + rank : values[0]
    }

    /// SPLIT (axis, value) and SPLIT_V (value, sizes, axis): the pieces' sizes are the outputs'
    /// static extents along the axis.
    private static func split(valueInput: Int, axisInput: Int) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, valueInput, "input")
            let rank = ctx.rank(x)
            let along = try axis(op, axisInput, rank: rank, ctx)
            let sizes = op.outputs.map { ctx.shape($0).count == rank ? ctx.shape($0)[along] : -1 }
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == ctx.shape(x)[along] else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): outputs of extents \(sizes) do not split "
                    + "axis \(along) of \(ctx.shape(x))")
            }
            ctx.emit("Split", [try ctx.value(x), ctx.int64s(sizes, hint: "split")],
                     ["axis": .int(Layout.nchwAxis(along, rank: rank))], outputs: op.outputs.map(ctx.outputName))
        }
    }

    /// PACK: options values_count (field 0), axis (field 1); inputs stacked along a new axis.
    private static func pack(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let out = try ctx.output(op)
        let rank = ctx.rank(out)
        let raw = try Options(op).int(1)
        let along = raw < 0 ? raw + rank : raw
        guard (0..<rank).contains(along), !op.inputs.isEmpty else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axis \(raw) is outside rank \(rank)")
        }
        let pieces = try op.inputs.map { index -> String in
            var shape = ctx.shape(index)
            shape.insert(1, at: min(along, shape.count))
            return ctx.emit("Reshape", [try ctx.valueInTFLiteOrder(index), ctx.int64s(shape, hint: "shape")],
                            hint: "pack")
        }
        ctx.produceInTFLiteOrder(out) { ctx.emit("Concat", pieces, ["axis": .int(along)], output: $0, hint: "pack") }
    }

    /// UNPACK: options num (field 0), axis (field 1); one output per index along the axis.
    private static func unpack(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let rank = ctx.rank(x)
        let raw = try Options(op).int(1)
        let along = raw < 0 ? raw + rank : raw
        guard (0..<rank).contains(along), ctx.shape(x)[along] == op.outputs.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(op.outputs.count) outputs from axis \(raw) "
                + "of \(ctx.shape(x))")
        }
        let pieces = op.outputs.map { _ in ctx.fresh("unpack") }
        ctx.emit("Split", [try ctx.valueInTFLiteOrder(x)], ["axis": .int(along)], outputs: pieces)
        for (piece, out) in zip(pieces, op.outputs) {
            let shape = ctx.int64s(ctx.shape(out), hint: "shape")
            ctx.produceInTFLiteOrder(out) { ctx.emit("Reshape", [piece, shape], output: $0, hint: piece) }
        }
    }

    /// GATHER: options axis (field 0), batch_dims (field 1, only 0).
    private static func gather(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "params"), indices = try ctx.input(op, 1, "indices")
        let rank = ctx.rank(x), raw = try options.int(0)
        guard try options.int(1) == 0, raw >= -rank, raw < rank else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): axis \(raw) of rank \(rank) with batch_dims "
                + "\(try options.int(1)) (Edgeflow reads batch_dims 0)")
        }
        let params = try ctx.valueInTFLiteOrder(x), index = try ctx.valueInTFLiteOrder(indices)
        ctx.produceInTFLiteOrder(try ctx.output(op)) {
            ctx.emit("Gather", [params, index], ["axis": .int(raw < 0 ? raw + rank : raw)], output: $0, hint: "gather")
        }
    }

    /// A per-axis list of a 4-D tensor in the NCHW order values are held in.
    private static func held(_ values: [Int], rank: Int) -> [Int] {
        rank == 4 ? Layout.toNCHWPerm.map { values[$0] } : values
    }

    private static func tile(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let multiples = try ctx.constantInput(op, 1, "multiples").intValues("\(ctx.opDescription) multiples")
        let tiled = zip(ctx.shape(x), multiples).map { $0.multipliedReportingOverflow(by: $1) }
        guard multiples.count == ctx.rank(x), multiples.allSatisfy({ $0 >= 0 }), !tiled.contains(where: \.overflow),
              tiled.map(\.partialValue) == ctx.shape(try ctx.output(op)) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): multiples \(multiples) for \(ctx.shape(x)) do "
                + "not give the output's shape")
        }
        try ctx.emitFused("Tile", [try ctx.value(x), ctx.int64s(held(multiples, rank: ctx.rank(x)), hint: "repeats")],
                          op: op, activation: 0)
    }

    /// The ONNX pads of a constant [rank, 2] paddings input, in held order.
    private static func pads(_ op: TFLiteOperator, _ ctx: TranslationContext, rank: Int) throws -> String {
        let paddings = try ctx.constantInput(op, 1, "paddings").intValues("\(ctx.opDescription) paddings")
        guard paddings.count == 2 * rank, paddings.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): paddings \(paddings) do not fit rank \(rank)")
        }
        let begin = (0..<rank).map { paddings[2 * $0] }, end = (0..<rank).map { paddings[2 * $0 + 1] }
        return ctx.int64s(held(begin, rank: rank) + held(end, rank: rank), hint: "pads")
    }

    /// PADV2: PAD with a constant fill value (input 2).
    private static func padV2(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let fill = try ctx.constantInput(op, 2, "constant value")
        guard fill.count == 1 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): the fill value has \(fill.count) elements")
        }
        try ctx.emitFused("Pad", [try ctx.value(x), try pads(op, ctx, rank: ctx.rank(x)),
                                  ctx.addInitializer(fill.reshaped([]), hint: "pad_value")], op: op, activation: 0)
    }

    /// MIRROR_PAD: options mode (field 0: 0 REFLECT; SYMMETRIC has no ONNX mode and is refused).
    private static func mirrorPad(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        guard try Options(op).byte(0) == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): SYMMETRIC mirror padding is not supported "
                + "(REFLECT is)")
        }
        let x = try ctx.input(op, 0, "input")
        try ctx.emitFused("Pad", [try ctx.value(x), try pads(op, ctx, rank: ctx.rank(x))],
                          ["mode": .string(Data("reflect".utf8))], op: op, activation: 0)
    }

    /// SPACE_TO_DEPTH: TensorFlow's channel order is ONNX SpaceToDepth's.
    private static func spaceToDepth(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try ctx.emitFused("SpaceToDepth", [try ctx.value(try ctx.input(op, 0, "input"))],
                          ["blocksize": .int(try Options(op).int(0))], op: op, activation: 0)
    }

    /// BATCH_MATMUL: options adj_x (field 0), adj_y (field 1) transpose the last two axes.
    private static func batchMatMul(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        func operand(_ position: Int, adjoint: Bool) throws -> String {
            let index = try ctx.input(op, position, position == 0 ? "x" : "y")
            let value = try ctx.valueInTFLiteOrder(index)
            let rank = ctx.rank(index)
            guard adjoint else { return value }
            guard rank >= 2 else { throw EdgeflowError(.invalidModel, "\(ctx.opDescription): adjoint of rank \(rank)") }
            let perm = Array(0..<(rank - 2)) + [rank - 1, rank - 2]
            return ctx.emit("Transpose", [value], ["perm": .ints(perm)], hint: value)
        }
        let x = try operand(0, adjoint: try options.bool(0)), y = try operand(1, adjoint: try options.bool(1))
        if ctx.computesInIntegers(op) { return try IntegerTranslators.batchMatMul(op, ctx, x: x, y: y) }
        ctx.produceInTFLiteOrder(try ctx.output(op)) { ctx.emit("MatMul", [x, y], output: $0, hint: "matmul") }
    }

    /// CAST to the output tensor's element type.
    private static func cast(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let out = try ctx.output(op)
        guard let dtype = TensorData.dtype(ctx.tensor(out).typeCode) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): cast to "
                + "\(TensorData.typeName(ctx.tensor(out).typeCode))")
        }
        try ctx.emitFused("Cast", [try ctx.value(try ctx.input(op, 0, "input"))],
                          ["to": .int(OnnxDataType.code(dtype))], op: op, activation: 0)
    }
}
