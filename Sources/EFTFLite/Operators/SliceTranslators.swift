// STRIDED_SLICE with constant begin, end and strides: TensorFlow's masks (begin, end, shrink
// axis) and `offset` resolved against the static input shape into one ONNX Slice; SLICE
// (constant begin and size, −1 to the end) as the strided slice with unit strides. A 4-D slice
// that keeps its rank acts on the NCHW-held value with remapped axes; one that drops axes
// (shrink) slices in TFLite's order and reshapes to the output's static shape.

import EFCore
import EFONNX

enum SliceTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.stridedSlice: stridedSlice, BuiltinOperator.slice: slice,
    ]

    /// One axis of a resolved strided slice, in ONNX Slice's terms.
    struct AxisSlice: Equatable {
        var start: Int
        var end: Int
        var step: Int
        /// Elements the slice takes.
        var count: Int
    }

    /// Resolves TensorFlow's strided slice of `shape` (begin, end and strides per axis; masks
    /// as bit sets) into per-axis ONNX slices, the positions whose axis is shrunk.
    /// - Throws: `.invalidModel` for a zero stride or vectors of the wrong length; `.unsupported`
    ///   for ellipsis and new-axis masks.
    static func resolve(shape: [Int], begin: [Int], end: [Int], strides: [Int], beginMask: Int, endMask: Int,
                        ellipsisMask: Int, newAxisMask: Int, shrinkAxisMask: Int, offset: Bool,
                        _ what: String) throws -> [AxisSlice] {
        guard ellipsisMask == 0, newAxisMask == 0 else {
            throw EdgeflowError(.unsupported, "\(what): ellipsis and new-axis masks are not supported")
        }
        let rank = shape.count
        guard begin.count == end.count, end.count == strides.count, begin.count <= rank else {
            throw EdgeflowError(.invalidModel, "\(what): begin \(begin), end \(end) and strides \(strides) do not "
                + "fit an input of rank \(rank)")
        }
        // The file's values may be any int64: bounded first, so no sum below can overflow
        // (dimensions are below 2^31).
        func bounded(_ value: Int) -> Int { Swift.min(Swift.max(value, -(1 << 40)), 1 << 40) }
        let begin = begin.map(bounded), end = end.map(bounded), strides = strides.map(bounded)
        return try (0..<rank).map { axis in
            let dim = shape[axis]
            guard axis < begin.count else { return AxisSlice(start: 0, end: dim, step: 1, count: dim) }
            let stride = strides[axis]
            guard stride != 0 else { throw EdgeflowError(.invalidModel, "\(what): stride 0 on axis \(axis)") }
            func normalized(_ value: Int) -> Int { value < 0 ? value + dim : value }
            if shrinkAxisMask >> axis & 1 == 1 {
                let index = normalized(begin[axis])
                guard index >= 0, index < dim else {
                    throw EdgeflowError(.invalidModel, "\(what): index \(begin[axis]) on axis \(axis) of size \(dim)")
                }
                return AxisSlice(start: index, end: index + 1, step: 1, count: 1)
            }
            let low = stride > 0 ? 0 : -1, high = stride > 0 ? dim : dim - 1
            var start = min(max(normalized(begin[axis]), low), high)
            var stop = min(max(normalized(offset ? begin[axis] + end[axis] : end[axis]), low), high)
            if beginMask >> axis & 1 == 1 { start = stride > 0 ? 0 : dim - 1 }
            if endMask >> axis & 1 == 1 { stop = stride > 0 ? dim : -1 }
            let span = stride > 0 ? stop - start : start - stop
            let count = span <= 0 ? 0 : (span + abs(stride) - 1) / abs(stride)
            // ONNX reads a negative end as counted from the back: "before element 0" is −dim−1.
            return AxisSlice(start: start, end: stop < 0 ? -dim - 1 : stop, step: stride, count: count)
        }
    }

    private static func stridedSlice(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let what = ctx.opDescription
        func vector(_ position: Int, _ role: String) throws -> [Int] {
            try ctx.constantInput(op, position, role).intValues("\(what) \(role)")
        }
        let shrink = try options.int(4)
        let slices = try resolve(shape: ctx.shape(x), begin: try vector(1, "begin"), end: try vector(2, "end"),
                                 strides: try vector(3, "strides"), beginMask: try options.int(0),
                                 endMask: try options.int(1), ellipsisMask: try options.int(2),
                                 newAxisMask: try options.int(3), shrinkAxisMask: shrink, offset: try options.bool(5),
                                 what)
        try emit(op, ctx, x: x, out: out, slices: slices, shrink: shrink)
    }

    private static func slice(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let begin = try ctx.constantInput(op, 1, "begin").intValues("\(ctx.opDescription) begin")
        let size = try ctx.constantInput(op, 2, "size").intValues("\(ctx.opDescription) size")
        let shape = ctx.shape(x)
        guard begin.count == shape.count, size.count == shape.count,
              zip(begin, shape).allSatisfy({ $0 >= 0 && $0 <= $1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): begin \(begin) and size \(size) for \(shape)")
        }
        let end = zip(zip(begin, size), shape).map { pair, dim in
            pair.1 == -1 ? dim : pair.0 + Swift.min(Swift.max(pair.1, -1), dim)   // a larger size fails below
        }
        let slices = try resolve(shape: shape, begin: begin, end: end, strides: begin.map { _ in 1 }, beginMask: 0,
                                 endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false,
                                 ctx.opDescription)
        try emit(op, ctx, x: x, out: out, slices: slices, shrink: 0)
    }

    /// Emits the resolved slice of `x` into `out`, dropping the `shrink` axes.
    private static func emit(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, out: Int, slices: [AxisSlice],
                             shrink: Int) throws {
        let what = ctx.opDescription
        let kept = slices.enumerated().filter { shrink >> $0.offset & 1 == 0 }.map(\.element.count)
        guard ctx.fits(kept, out) else {
            throw EdgeflowError(.invalidModel, "\(what): the slice gives shape \(kept); the output is declared "
                + "\(ctx.shape(out))")
        }
        if ctx.computesInIntegers(op), try ctx.quantization(x) != ctx.quantization(out) {
            throw EdgeflowError(.unsupported, "\(what): int8 input and output are quantized differently")
        }
        let rank = slices.count
        let keepsLayout = shrink == 0 && ctx.rank(x) == ctx.rank(out)
        let axes = (0..<rank).map { keepsLayout ? Layout.nchwAxis($0, rank: rank) : $0 }
        let inputs = [
            ctx.int64s(slices.map(\.start), hint: "starts"), ctx.int64s(slices.map(\.end), hint: "ends"),
            ctx.int64s(axes, hint: "axes"), ctx.int64s(slices.map(\.step), hint: "steps"),
        ]
        if keepsLayout {
            return try ctx.emitFused("Slice", [try ctx.value(x)] + inputs, op: op, activation: 0)
        }
        let source = try ctx.valueInTFLiteOrder(x)
        let sliced = ctx.emit("Slice", [source] + inputs, hint: source)
        let shape = ctx.int64s(kept, hint: "shape")
        ctx.produceInTFLiteOrder(out) { ctx.emit("Reshape", [sliced, shape], output: $0, hint: sliced) }
    }
}
