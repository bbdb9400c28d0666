// MediaPipe's MaxPoolingWithArgmax2D and MaxUnpooling2D (its hair segmenter's encoder and decoder;
// mediapipe/util/tflite/operations/max_pool_argmax.cc, max_unpooling.cc), built from core ops. Both
// read their options as the raw bytes of TFLite's TfLitePoolParams (int32 padding: 1 SAME, 2 VALID;
// stride width, height; filter width, height; fused activation).
// - MaxPoolingWithArgmax2D: per window the first strictly greatest value (from the lowest float,
//   so a window of NaNs or −∞ gives the lowest float at index 0), clamped by a ReLU-family
//   activation, and its index inside the window, fy·filter_width + fx + 0.1, as float32. The
//   taps of the window are visited in order, each a strided slice of the input padded with −∞.
// - MaxUnpooling2D: an output of filter × the input's size, zeros except where each value goes:
//   (y·stride − pad + idx / filter_width, x·stride − pad + idx mod filter_width), idx the float
//   index converted to int32 and divided as C++ does; positions outside the output are skipped.
//   In int64, a scatter into a flat buffer with one spare slot that takes the skipped values.

import EFCore
import Foundation

enum MediaPipeUnpooling {
    static let poolCode = "MaxPoolingWithArgmax2D"
    static let unpoolCode = "MaxUnpooling2D"

    /// TfLitePoolParams as the custom ops read them.
    struct PoolParams {
        let same: Bool, strides: [Int], filter: [Int], activation: Int

        init(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
            let bytes = op.customOptions
            guard bytes.count >= 24 else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its options hold \(bytes.count) bytes; "
                    + "TfLitePoolParams needs 24 (padding, strides, filter size, activation)")
            }
            let field = { (at: Int) in
                Int(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[4 * at + $1]) << (8 * $1) }))
            }
            let padding = field(0)
            (same, strides, filter, activation) = (padding == 1, [field(2), field(1)], [field(4), field(3)], field(5))
            guard padding == 1 || padding == 2, (strides + filter).allSatisfy({ (1...256).contains($0) }),
                  filter[0] * filter[1] <= 256, (0...6).contains(activation) else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): padding \(padding) (1 SAME, 2 VALID), "
                    + "strides \(strides), filter \(filter) (at most 256 taps) or activation \(activation) "
                    + "is not valid")
            }
        }
    }

    /// TFLite's ComputePadding with dilation 1.
    private static func padding(stride: Int, input: Int, filter: Int, output: Int) -> Int {
        max(((output - 1) * stride + filter - input) / 2, 0)
    }

    static func maxPoolWithArgmax(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let params = try PoolParams(op, ctx)
        let input = try ctx.input(op, 0, "input"), shape = ctx.shape(input)
        guard shape.count == 4, ctx.tensor(input).typeCode == 0, op.outputs.count == 2 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): input \(shape) (Edgeflow reads float32 NHWC, "
                + "two outputs: values and indices)")
        }
        var size = [0, 0], begin = [0, 0], end = [0, 0]
        for axis in 0..<2 {
            let (input, stride, filter) = (shape[axis + 1], params.strides[axis], params.filter[axis])
            size[axis] = params.same ? (input + stride - 1) / stride : (input - filter + stride) / stride
            begin[axis] = padding(stride: stride, input: input, filter: filter, output: size[axis])
            end[axis] = max(0, (size[axis] - 1) * stride + filter - input - begin[axis])
        }
        let expected = [shape[0], size[0], size[1], shape[3]]
        guard size.allSatisfy({ $0 > 0 }), op.outputs.allSatisfy({ ctx.shape($0) == expected }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): outputs \(op.outputs.map { ctx.shape($0) }); "
                + "MediaPipe's kernel makes \(expected) from input \(shape)")
        }
        let b = MediaPipeOps.Builder(ctx)
        var padded = try ctx.value(input)
        if (begin + end).contains(where: { $0 > 0 }) {
            let pads = ctx.int64s([0, 0, begin[0], begin[1], 0, 0, end[0], end[1]], hint: "pads")
            padded = ctx.emit("Pad", [padded, pads, ctx.float32(-.infinity, hint: "minus_infinity")], hint: "padded")
        }
        var best = b.scalar(-Float.greatestFiniteMagnitude), index = b.scalar(0)
        for fy in 0..<params.filter[0] {
            for fx in 0..<params.filter[1] {
                let starts = [fy, fx], ends = (0..<2).map { starts[$0] + (size[$0] - 1) * params.strides[$0] + 1 }
                let window = [ctx.int64s(starts, hint: "starts"), ctx.int64s(ends, hint: "ends"),
                              ctx.int64s([2, 3], hint: "axes"), ctx.int64s(params.strides, hint: "steps")]
                let tap = ctx.emit("Slice", [padded] + window, hint: "tap")
                let greater = ctx.emit("Greater", [tap, best], hint: "greater")
                best = ctx.emit("Where", [greater, tap, best], hint: "best")
                index = ctx.emit("Where", [greater, b.scalar(Float(fy * params.filter[1] + fx)), index], hint: "index")
            }
        }
        let values = ctx.outputName(op.outputs[0])
        if (1...3).contains(params.activation) {
            _ = try ctx.activation(Int8(params.activation), best, output: values)
        } else {
            ctx.emit("Identity", [best], output: values, hint: "values")
        }
        ctx.emit("Add", [index, b.scalar(0.1)], output: ctx.outputName(op.outputs[1]), hint: "indices")
    }

    static func maxUnpool(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let params = try PoolParams(op, ctx)
        let input = try ctx.input(op, 0, "values"), indices = try ctx.input(op, 1, "indices")
        let shape = ctx.shape(input), output = try ctx.output(op)
        let expected = shape.count == 4 ? [shape[0], shape[1] * params.filter[0], shape[2] * params.filter[1], shape[3]]
            : []
        guard shape.count == 4, ctx.shape(indices) == shape, ctx.shape(output) == expected,
              [input, indices].allSatisfy({ ctx.tensor($0).typeCode == 0 }) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): values \(shape), indices \(ctx.shape(indices)) "
                + "and output \(ctx.shape(output)) do not fit (float32 NHWC, indices of the values' shape, the output "
                + "filter × their size)")
        }
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let (outH, outW) = (expected[1], expected[2])
        let total = try CheckedSize.product([n, c, outH, outW], ctx.opDescription, kind: .invalidModel)
        let count = try CheckedSize.product(shape, ctx.opDescription, kind: .invalidModel)
        let pad = [padding(stride: params.strides[0], input: outH, filter: params.filter[0], output: h),
                   padding(stride: params.strides[1], input: outW, filter: params.filter[1], output: w)]
        func integer(_ value: Int) -> String { ctx.int64Scalar(value, hint: "constant") }
        func binary(_ opType: String, _ x: String, _ y: String) -> String { ctx.emit(opType, [x, y], hint: "index") }
        // idx as C++ converts the float (toward zero; NaN and out of range to Int32.min, as x86 does,
        // which is Edgeflow's Cast), then its row and column in the window as C++ divides: toward zero.
        let truncated = ctx.emit("Cast", [try ctx.value(indices)], ["to": .int(6)], hint: "truncated")
        let index = ctx.emit("Cast", [truncated], ["to": .int(7)], hint: "index")
        let sign = ctx.emit("Sign", [index], hint: "sign"), magnitude = ctx.emit("Abs", [index], hint: "magnitude")
        let row = binary("Div", magnitude, integer(params.filter[1]))
        let column = binary("Sub", magnitude, binary("Mul", row, integer(params.filter[1])))
        func place(_ offset: String, axis: Int, size: Int) -> String {
            let stride = params.strides[axis]
            let origins = ctx.emit("Range", [ctx.int64Scalar(-pad[axis], hint: "start"),
                                             ctx.int64Scalar(size * stride - pad[axis], hint: "limit"),
                                             ctx.int64Scalar(stride, hint: "delta")], hint: "origins")
            let shaped = ctx.emit("Reshape", [origins, ctx.int64s(axis == 0 ? [1, 1, size, 1] : [1, 1, 1, size],
                                                                  hint: "shape")], hint: "origins")
            return binary("Add", shaped, binary("Mul", sign, offset))
        }
        let y = place(row, axis: 0, size: h), x = place(column, axis: 1, size: w)
        func within(_ value: String, _ extent: Int) -> String {
            ctx.emit("And", [binary("GreaterOrEqual", value, integer(0)), binary("Less", value, integer(extent))],
                     hint: "within")
        }
        let valid = ctx.emit("And", [within(y, outH), within(x, outW)], hint: "valid")
        // Every plane (batch, channel) starts outH·outW after the previous; the planes' starts and
        // the zeros are generated by the importer within its budget (a declared size cannot make
        // this translation allocate).
        let planes = ctx.emit("Range", [ctx.int64Scalar(0, hint: "start"), ctx.int64Scalar(n * c, hint: "limit"),
                                        ctx.int64Scalar(1, hint: "delta")], hint: "planes")
        let starts = binary("Mul", ctx.emit("Reshape", [planes, ctx.int64s([n, c, 1, 1], hint: "shape")],
                                            hint: "planes"), integer(outH * outW))
        let flat = binary("Add", starts, binary("Add", binary("Mul", y, integer(outW)), x))
        let destination = ctx.emit("Where", [valid, flat, integer(total)], hint: "destination")
        let zeros = ctx.emit("ConstantOfShape", [ctx.int64s([total + 1], hint: "shape")], hint: "zeros")
        let scattered = ctx.emit("ScatterElements", [
            zeros, ctx.emit("Reshape", [destination, ctx.int64s([count], hint: "shape")], hint: "destination"),
            ctx.emit("Reshape", [try ctx.value(input), ctx.int64s([count], hint: "shape")], hint: "values"),
        ], ["axis": .int(0)], hint: "scattered")
        let kept = ctx.slice(scattered, axis: 0, 0, total)
        ctx.emit("Reshape", [kept, ctx.int64s([n, c, outH, outW], hint: "shape")], output: ctx.outputName(output),
                 hint: "unpooled")
    }
}
