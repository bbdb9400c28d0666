// ONNX importers whose results depend only on static shapes or constant operands, so they
// always become constants: Shape, Size, ConstantOfShape, Range, EyeLike.

import EFCore
import EFIR

extension ConstantImporters {
    /// Shape (with `start`/`end` from opset 15): the input's dims as int64 [n].
    static func importShape(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let shape = try ctx.type(try ctx.requiredInput(node, 0, "data")).shape
        let rank = shape.count
        func clamped(_ index: Int) -> Int { min(max(index < 0 ? index + rank : index, 0), rank) }
        let start = clamped(try node.attributeInt("start") ?? 0)
        let end = clamped(try node.attributeInt("end") ?? rank)
        let dims = start < end ? Array(shape[start..<end]) : []
        ctx.addWeight(try output(node), Tensor(shape: [dims.count], scalars: dims.map(Int64.init)))
    }

    /// Size: the input's element count as an int64 scalar.
    static func importSize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let shape = try ctx.type(try ctx.requiredInput(node, 0, "data")).shape
        let count = try CheckedSize.elementCount(shape, "Size node '\(node.displayName)' input", kind: .invalidModel)
        ctx.addWeight(try output(node), Tensor(scalar: Int64(count)))
    }

    /// ConstantOfShape: a tensor of the constant `shape` filled with `value` (default float 0),
    /// imported as an expand of the one-element value: folded when it fits the folding budget,
    /// else run at inference time.
    static func importConstantOfShape(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let what = "ConstantOfShape node '\(node.displayName)'"
        let dims = try ctx.requiredConstantInput(node, 0, "shape").intValues("\(what) shape")
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel, "\(what) has negative shape \(dims.shapeDescription)")
        }
        let element = try node.attributeTensor("value")?.toTensor(baseDirectory: ctx.baseDirectory) ?? Tensor(scalar: Float(0))
        guard element.count == 1 else {
            throw EdgeflowError(.invalidModel, "\(what) has a value of \(element.count) elements; it must have one")
        }
        try ConstantTensors.emitRepeated(element, shape: dims, output: try output(node), ctx, node)
    }

    /// Range with constant start, limit and delta: `start + i * delta` for i in 0..<count,
    /// count = max(ceil((limit - start) / delta), 0). Float types (float16 and bfloat16
    /// included) are computed in float64 and rounded once to the operand dtype.
    static func importRange(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let start = try ctx.requiredConstantInput(node, 0, "start")
        let limit = try ctx.requiredConstantInput(node, 1, "limit")
        let delta = try ctx.requiredConstantInput(node, 2, "delta")
        guard [start, limit, delta].allSatisfy({ $0.count == 1 && $0.dtype == start.dtype }) else {
            throw EdgeflowError(.invalidModel,
                "Range node '\(node.displayName)' needs three scalars of one type, got \(start), \(limit), \(delta)")
        }
        let tensor: Tensor
        switch start.dtype {
        case .float32, .float64, .float16, .bfloat16:
            let (a, b, d) = (start.doubleValues()[0], limit.doubleValues()[0], delta.doubleValues()[0])
            guard d != 0, a.isFinite, b.isFinite, d.isFinite else { throw badRange(node, "\(a), \(b), \(d)") }
            let count = try ConstantTensors.checkedCount(max((b - a) / d, 0).rounded(.up), ctx, node,
                                                         elementSize: start.dtype.byteSize)
            let values = (0..<count).map { a + Double($0) * d }
            tensor = ConstantTensors.tensor(values, as: start.dtype)
        case .int16, .int32, .int64:
            let (a, b, d) = (try start.intValues()[0], try limit.intValues()[0], try delta.intValues()[0])
            guard d != 0 else { throw badRange(node, "\(a), \(b), \(d)") }
            let count = try ConstantTensors.checkedCount(max(((Double(b) - Double(a)) / Double(d)).rounded(.up), 0),
                                                         ctx, node, elementSize: start.dtype.byteSize)
            // Wrapping arithmetic: a count rounded up in Double may step one past an Int64 limit.
            tensor = ConstantTensors.tensor((0..<count).map { Int64(a) &+ Int64($0) &* Int64(d) }, as: start.dtype)
        default:
            throw EdgeflowError(.unsupported, "Range node '\(node.displayName)' on \(start.dtype.rawValue) is not supported")
        }
        ctx.addWeight(try output(node), tensor)
    }

    private static func badRange(_ node: OnnxNode, _ operands: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "Range node '\(node.displayName)' has invalid start, limit, delta (\(operands))")
    }

    /// EyeLike: ones on the k-th diagonal of a 2-D tensor shaped like the input.
    static func importEyeLike(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let type = try ctx.type(try ctx.requiredInput(node, 0, "input"))
        guard type.shape.count == 2 else {
            throw EdgeflowError(.invalidModel, "EyeLike node '\(node.displayName)' needs a 2-D input, got \(type)")
        }
        let dtype = try node.attributeInt("dtype").map {
            try OnnxDataType.requiredDType($0, for: "EyeLike node '\(node.displayName)' dtype")
        } ?? type.dtype
        let k = try node.attributeInt("k") ?? 0
        let (rows, columns) = (type.shape[0], type.shape[1])
        _ = try ConstantTensors.checkedCount(Double(rows) * Double(columns), ctx, node, elementSize: 8)
        var values = [Double](repeating: 0, count: rows * columns)
        if k > -rows && k < columns {  // else the diagonal misses the matrix; row + k cannot overflow
            for row in 0..<rows where row + k >= 0 && row + k < columns { values[row * columns + row + k] = 1 }
        }
        ctx.addWeight(try output(node), ConstantTensors.tensor(values, as: dtype).reshaped(type.shape))
    }
}
