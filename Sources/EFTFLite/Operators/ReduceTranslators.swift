// Reductions over constant axes: MEAN and SUM (with their int8 forms), REDUCE_MAX, REDUCE_MIN and
// REDUCE_PROD (axes remapped; without keep_dims a 4-D input's result is put back in TFLite's
// axis order), and ARG_MAX/ARG_MIN (one axis, in TFLite's order, int32 or int64 indices).

import EFCore
import EFONNX

enum ReduceTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.mean: reduce("ReduceMean"), BuiltinOperator.sum: reduce("ReduceSum"),
        BuiltinOperator.reduceMax: reduce("ReduceMax"), BuiltinOperator.reduceMin: reduce("ReduceMin"),
        BuiltinOperator.reduceProd: reduce("ReduceProd"),
        BuiltinOperator.argMax: argExtreme("ArgMax"), BuiltinOperator.argMin: argExtreme("ArgMin"),
    ]

    /// A reduction over the constant axes of input 1; options: keep_dims (field 0).
    private static func reduce(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input")
            let rank = ctx.rank(x)
            let keep = try Options(op).bool(0)
            let axes = try ctx.constantInput(op, 1, "axes").intValues("\(ctx.opDescription) axes")
            guard axes.allSatisfy({ $0 >= -rank && $0 < rank }) else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axes \(axes) are outside rank \(rank)")
            }
            let tfliteAxes = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
            if opType == "ReduceMean", ctx.computesInIntegers(op) {
                return try IntegerTranslators.mean(op, ctx, x: x, axes: tfliteAxes, keep: keep)
            }
            if opType == "ReduceSum", ctx.computesInIntegers(op) {
                return try IntegerTranslators.sum(op, ctx, x: x, axes: tfliteAxes, keep: keep)
            }
            let held = tfliteAxes.map { Layout.nchwAxis($0, rank: rank) }.sorted()
            // ReduceSum takes its axes as an input from opset 13; the others as an attribute until 18.
            var inputs = [try ctx.value(x)]
            var attributes: [String: OnnxAttribute] = ["keepdims": .int(keep ? 1 : 0)]
            if opType == "ReduceSum" {
                inputs.append(ctx.int64s(held, hint: "axes"))
            } else {
                attributes["axes"] = .ints(held)
            }
            let out = try ctx.output(op)
            // The kept TFLite axes in the order the NCHW-held result lists them.
            let kept = Layout.toNCHWPerm.filter { !tfliteAxes.contains($0) }
            let order = kept.sorted().map { kept.firstIndex(of: $0)! }
            guard rank == 4, !keep, order != Array(order.indices) else {
                ctx.emit(opType, inputs, attributes, output: ctx.outputName(out), hint: "reduce")
                return
            }
            let reduced = ctx.emit(opType, inputs, attributes, hint: "reduce")
            ctx.emit("Transpose", [reduced], ["perm": .ints(order)], output: ctx.outputName(out), hint: reduced)
        }
    }

    /// ARG_MAX/ARG_MIN over the constant axis of input 1, as the output's int32 or int64.
    private static func argExtreme(_ opType: String) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
            let rank = ctx.rank(x)
            let axis = try ctx.constantInput(op, 1, "axis").intValues("\(ctx.opDescription) axis")
            guard axis.count == 1, axis[0] >= -rank, axis[0] < rank,
                  let dtype = TensorData.dtype(ctx.tensor(out).typeCode), [.int32, .int64].contains(dtype) else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): axis \(axis) of rank \(rank) into "
                    + "\(TensorData.typeName(ctx.tensor(out).typeCode))")
            }
            let indices = ctx.emit(opType, [try ctx.valueInTFLiteOrder(x)],
                                   ["axis": .int(axis[0] < 0 ? axis[0] + rank : axis[0]), "keepdims": .int(0)],
                                   hint: "indices")
            ctx.produceInTFLiteOrder(out) { name in
                dtype == .int64 ? ctx.emit("Identity", [indices], output: name, hint: indices)
                    : ctx.emit("Cast", [indices], ["to": .int(OnnxDataType.code(.int32))], output: name, hint: indices)
            }
        }
    }
}
