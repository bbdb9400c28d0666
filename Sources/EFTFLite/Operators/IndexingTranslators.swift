// TFLite's index operators on ONNX's: GATHER_ND, SCATTER_ND (into zeros, duplicates summed as
// tf.scatter_nd does), TOPK_V2 (values and int32 indices along the last axis), ONE_HOT,
// EMBEDDING_LOOKUP (float tables) and DYNAMIC_UPDATE_SLICE with constant start indices (clamped
// as XLA clamps them). Indices follow TFLite's axis order, so 4-D operands are taken in TFLite's
// order (a transpose each way that the layout pass may remove).

import EFCore
import EFONNX
import Foundation

enum IndexingTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.gatherND: gatherND, BuiltinOperator.scatterND: scatterND, BuiltinOperator.topKV2: topK,
        BuiltinOperator.oneHot: oneHot, BuiltinOperator.embeddingLookup: embeddingLookup,
        BuiltinOperator.dynamicUpdateSlice: dynamicUpdateSlice,
    ]

    /// Input `position` as int64 (ONNX's index type), in TFLite's order.
    private static func indices(_ op: TFLiteOperator, _ ctx: TranslationContext, _ position: Int,
                                _ role: String) throws -> String {
        let index = try ctx.input(op, position, role)
        guard [2, 4].contains(ctx.tensor(index).typeCode) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(role) must be int32 or int64")
        }
        let value = try ctx.valueInTFLiteOrder(index)
        return ctx.emit("Cast", [value], ["to": .int(7)], hint: "\(value)/int64")
    }

    /// GATHER_ND(params, indices [..., k]): params[indices[...]] with the last k axes of params kept.
    private static func gatherND(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let params = try ctx.valueInTFLiteOrder(try ctx.input(op, 0, "params"))
        let index = try indices(op, ctx, 1, "indices")
        ctx.produceInTFLiteOrder(try ctx.output(op)) { ctx.emit("GatherND", [params, index], output: $0, hint: params) }
    }

    /// SCATTER_ND(indices, updates, shape): zeros of the constant shape with the updates added.
    private static func scatterND(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let shape = try ctx.constantInput(op, 2, "shape").intValues("SCATTER_ND shape")
        let updates = try ctx.input(op, 1, "updates")
        guard let dtype = TensorData.dtype(ctx.tensor(updates).typeCode), shape.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): shape \(shape) and updates of type "
                + "\(TensorData.typeName(ctx.tensor(updates).typeCode))")
        }
        let zeros = ctx.addInitializer(try FillTranslators.zeros(dtype, shape, ctx), hint: "scatter_base")
        let index = try indices(op, ctx, 0, "indices"), values = try ctx.valueInTFLiteOrder(updates)
        ctx.produceInTFLiteOrder(try ctx.output(op)) {
            ctx.emit("ScatterND", [zeros, index, values], ["reduction": .string(Data("add".utf8))], output: $0,
                     hint: values)
        }
    }

    /// TOPK_V2(input, k): the k largest values along the last axis, sorted, and their int32 indices.
    private static func topK(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let k = try ctx.constantInput(op, 1, "k").intValues("TOPK_V2 k")
        guard k.count == 1, k[0] >= 0, ctx.rank(x) >= 1, k[0] <= ctx.shape(x).last ?? 0, op.outputs.count == 2,
              ctx.rank(x) != 4 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): k \(k) of input \(ctx.shape(x)) (Edgeflow "
                + "reads a constant k, two outputs and inputs of rank other than 4)")
        }
        let values = ctx.outputName(op.outputs[0]), wide = ctx.fresh("\(values)/indices_int64")
        ctx.emit("TopK", [try ctx.value(x), ctx.int64s(k, hint: "k")], ["axis": .int(-1), "largest": .int(1),
                                                                       "sorted": .int(1)],
                 outputs: [values, wide])
        let type = ctx.tensor(op.outputs[1]).typeCode == 4 ? 7 : 6
        ctx.emit("Cast", [wide], ["to": .int(type)], output: ctx.outputName(op.outputs[1]), hint: wide)
    }

    /// ONE_HOT(indices, depth, on_value, off_value), axis option (default −1).
    private static func oneHot(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let depth = try ctx.constantInput(op, 1, "depth").intValues("ONE_HOT depth")
        let on = try ctx.constantInput(op, 2, "on_value"), off = try ctx.constantInput(op, 3, "off_value")
        guard depth.count == 1, depth[0] >= 0, on.count == 1, off.count == 1, on.dtype == off.dtype else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): depth, on_value and off_value must be scalars")
        }
        let values = (off.data + on.data).withUnsafeBytes { Tensor(dtype: on.dtype, shape: [2], bytes: $0) }
        let pair = ctx.addInitializer(values, hint: "on_off")
        let raw = try indices(op, ctx, 0, "indices"), axis = try Options(op).int(0, -1)
        // TFLite gives all off values for a negative index; ONNX would count it from the end, so
        // negative indices become `depth`, which ONNX maps to all off values too.
        let depthValue = ctx.addInitializer(Tensor(scalar: Int64(depth[0])), hint: "depth_scalar")
        let negative = ctx.emit("Less", [raw, ctx.addInitializer(Tensor(scalar: Int64(0)), hint: "zero")],
                                hint: "negative")
        let index = ctx.emit("Where", [negative, depthValue, raw], hint: "index")
        ctx.produceInTFLiteOrder(try ctx.output(op)) {
            ctx.emit("OneHot", [index, ctx.int64s(depth, hint: "depth"), pair], ["axis": .int(axis)], output: $0,
                     hint: index)
        }
    }

    /// EMBEDDING_LOOKUP(lookup [N], table [V, ...]): rows of the table, [N, ...].
    private static func embeddingLookup(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let table = try ctx.input(op, 1, "table")
        guard ctx.tensor(table).typeCode == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): Edgeflow reads float32 embedding tables")
        }
        let rows = try ctx.valueInTFLiteOrder(table), index = try indices(op, ctx, 0, "lookup")
        ctx.produceInTFLiteOrder(try ctx.output(op)) {
            ctx.emit("Gather", [rows, index], ["axis": .int(0)], output: $0, hint: rows)
        }
    }

    /// DYNAMIC_UPDATE_SLICE(operand, update, start_indices constant): the operand with the update
    /// written at the start indices, each clamped to [0, operand − update] as XLA does; a ScatterND
    /// at the update's constant coordinates.
    private static func dynamicUpdateSlice(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let operand = try ctx.input(op, 0, "operand"), update = try ctx.input(op, 1, "update")
        let start = try ctx.constantInput(op, 2, "start_indices").intValues("DYNAMIC_UPDATE_SLICE start")
        let outer = ctx.shape(operand), inner = ctx.shape(update), rank = outer.count
        guard inner.count == rank, start.count == rank, zip(inner, outer).allSatisfy({ $0 <= $1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): update \(inner) at \(start) does not fit "
                + "operand \(outer)")
        }
        let count = try CheckedSize.product(inner + [rank], ctx.opDescription, kind: .invalidModel)
        guard count <= FillTranslators.maxFoldedElements else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): an update of \(inner) is over the folding limit")
        }
        let origin = (0..<rank).map { Swift.min(Swift.max(start[$0], 0), outer[$0] - inner[$0]) }
        var coordinates: [Int64] = []
        coordinates.reserveCapacity(count)
        var position = [Int](repeating: 0, count: rank)
        for _ in 0..<(count / Swift.max(rank, 1)) {
            coordinates += (0..<rank).map { Int64(origin[$0] + position[$0]) }
            var axis = rank - 1
            while axis >= 0 {
                position[axis] += 1
                if position[axis] < inner[axis] { break }
                position[axis] = 0
                axis -= 1
            }
        }
        let index = ctx.addInitializer(Tensor(shape: inner + [rank], scalars: coordinates), hint: "update_indices")
        let base = try ctx.valueInTFLiteOrder(operand), values = try ctx.valueInTFLiteOrder(update)
        ctx.produceInTFLiteOrder(try ctx.output(op)) {
            ctx.emit("ScatterND", [base, index, values], output: $0, hint: base)
        }
    }
}
