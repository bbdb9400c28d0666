// RESIZE_BILINEAR on int8, as TFLite's ResizeBilinearInteger computes it: source coordinates in
// 1/1024 steps (scale_10 = round(1024·in/out), or (in − 1)/(out − 1) with align_corners; half
// pixel centers shift by scale_10/2 − 512), the two neighbours along each axis clamped to the
// image, weights (1024 − f) and f, the four products summed exactly, then ±2^19 and a
// truncating division by 2^20. Input and output share their quantization, as TFLite requires.
// Imported as Gathers along H and W of the NCHW-held value with int32 weights: every sum is
// exact, so regrouping the four products changes nothing.
// On uint8, TFLite's reference kernel is its generic float one instead: source coordinates in
// float32 (y·scale, or (y + 0.5)·scale − 0.5), neighbours floor/ceil clamped to the image, each
// value × (1 − (y − y0)) × (1 − (x − x0)) and its three partners summed in that order in float32,
// then rounded half up to uint8 (LiteRT 2.3.0's kernel rounds; older TFLite truncated). Imported as
// the four Gathers and the same float32 products and sums.

import EFCore

extension IntegerTranslators {
    /// The neighbours and the second neighbour's weight (in 1/1024) of every output position.
    static func bilinearTaps(input: Int, output: Int, alignCorners: Bool, halfPixel: Bool)
        -> (lower: [Int], upper: [Int], weight: [Int32]) {
        let scale = alignCorners && output > 1
            ? ((1 << 10) * (input - 1) + (output - 1) / 2) / (output - 1)
            : ((1 << 10) * input + output / 2) / output
        var lower: [Int] = [], upper: [Int] = [], weight: [Int32] = []
        for position in 0..<output {
            let scaled = halfPixel ? position * scale + scale / 2 - (1 << 9) : position * scale
            let low = Swift.max(scaled / (1 << 10), 0)          // Swift's / truncates, as C's
            lower.append(low)
            upper.append(Swift.min((scaled + (1 << 10) - 1) / (1 << 10), input - 1))
            weight.append(Int32(scaled - (1 << 10) * low))
        }
        return (lower, upper, weight)
    }

    static func resizeBilinear(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        let input = ctx.shape(x), output = ctx.shape(out)
        guard qx == qy, [.int8, .uint8].contains(qx.dtype), input.count == 4, output.count == 4,
              input[1] > 0, input[2] > 0, output[1] > 0, output[2] > 0,
              [input[1], input[2], output[1], output[2]].allSatisfy({ $0 < 1 << 16 }) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): quantized RESIZE_BILINEAR needs 4-D int8 or "
                + "uint8 tensors under 65,536 pixels a side and one quantization for input and output")
        }
        let alignCorners = try options.bool(2), halfPixel = try options.bool(3)
        if qx.dtype == .uint8 {
            return try resizeBilinearUInt8(x, out, input, output, alignCorners: alignCorners, halfPixel: halfPixel,
                                           ctx)
        }
        var value = ctx.emit("Cast", [try ctx.value(x)], ["to": .int(6)], hint: "resize")   // 6: INT32
        for (axis, held) in [(1, 2), (2, 3)] {   // H, then W of the NCHW-held value
            let taps = bilinearTaps(input: input[axis], output: output[axis], alignCorners: alignCorners,
                                    halfPixel: halfPixel)
            var shape = [1, 1, 1, 1]
            shape[held] = output[axis]
            let first = ctx.emit("Gather", [value, ctx.int64s(taps.lower, hint: "lower")], ["axis": .int(held)],
                                 hint: "resize")
            let second = ctx.emit("Gather", [value, ctx.int64s(taps.upper, hint: "upper")], ["axis": .int(held)],
                                  hint: "resize")
            let far = ctx.addInitializer(Tensor(shape: shape, scalars: taps.weight), hint: "weight")
            let near = ctx.addInitializer(Tensor(shape: shape, scalars: taps.weight.map { (1 << 10) - $0 }),
                                          hint: "weight")
            value = ctx.emit("Add", [ctx.emit("Mul", [first, near], hint: "resize"),
                                     ctx.emit("Mul", [second, far], hint: "resize")], hint: "resize")
        }
        // sign(acc) · ((|acc| + 2^19) / 2^20): TFLite's acc ± 2^19 divided with truncation.
        let magnitude = ctx.emit("Add", [ctx.emit("Abs", [value], hint: "resize"), ctx.int32(1 << 19, hint: "half")],
                                 hint: "resize")
        let quotient = ctx.emit("Div", [magnitude, ctx.int32(1 << 20, hint: "unit")], hint: "resize")
        let signed = ctx.emit("Mul", [ctx.emit("Sign", [value], hint: "resize"), quotient], hint: "resize")
        let clamped = ctx.emit("Clip", [signed, ctx.int32(-128, hint: "min"), ctx.int32(127, hint: "max")],
                               hint: "resize")
        ctx.emit("Cast", [clamped], ["to": .int(3)], output: ctx.outputName(out), hint: "resize")   // 3: INT8
    }

    /// The float32 taps of TFLite's generic bilinear kernel along one axis: neighbours and the
    /// weights 1 − (s − lower) and s − lower of the source coordinate s, as its
    /// ComputeInterpolationValues writes them (s may be below 0 with half-pixel centers).
    static func bilinearFloatTaps(input: Int, output: Int, alignCorners: Bool, halfPixel: Bool)
        -> (lower: [Int], upper: [Int], near: [Float], far: [Float]) {
        let scale = alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
        var lower: [Int] = [], upper: [Int] = [], near: [Float] = [], far: [Float] = []
        for position in 0..<output {
            let value = Float(position)
            let scaled = halfPixel ? (value + 0.5) * scale - 0.5 : value * scale
            let low = Swift.max(Int(scaled.rounded(.down)), 0)
            lower.append(low)
            upper.append(Swift.min(Int(scaled.rounded(.up)), input - 1))
            let fraction = scaled - Float(low)
            near.append(1 - fraction)
            far.append(fraction)
        }
        return (lower, upper, near, far)
    }

    /// uint8 RESIZE_BILINEAR as TFLite's reference kernel: float32 products and sums in its
    /// order, rounded half up (the sums are never negative).
    private static func resizeBilinearUInt8(_ x: Int, _ out: Int, _ input: [Int], _ output: [Int],
                                            alignCorners: Bool, halfPixel: Bool,
                                            _ ctx: TranslationContext) throws {
        let rows = bilinearFloatTaps(input: input[1], output: output[1], alignCorners: alignCorners,
                                     halfPixel: halfPixel)
        let columns = bilinearFloatTaps(input: input[2], output: output[2], alignCorners: alignCorners,
                                        halfPixel: halfPixel)
        func weights(_ values: [Float], along held: Int) -> String {
            var shape = [1, 1, 1, 1]
            shape[held] = values.count
            return ctx.addInitializer(Tensor(shape: shape, scalars: values), hint: "weight")
        }
        func gather(_ value: String, _ indices: [Int], _ held: Int) -> String {
            ctx.emit("Gather", [value, ctx.int64s(indices, hint: "taps")], ["axis": .int(held)], hint: "resize")
        }
        func mul(_ a: String, _ b: String) -> String { ctx.emit("Mul", [a, b], hint: "resize") }
        func add(_ a: String, _ b: String) -> String { ctx.emit("Add", [a, b], hint: "resize") }
        let value = ctx.emit("Cast", [try ctx.value(x)], ["to": .int(1)], hint: "resize")   // 1: FLOAT
        let top = gather(value, rows.lower, 2), bottom = gather(value, rows.upper, 2)   // H of the NCHW value
        let nearY = weights(rows.near, along: 2), farY = weights(rows.far, along: 2)
        let nearX = weights(columns.near, along: 3), farX = weights(columns.far, along: 3)
        // (y0, x0), (y1, x0), (y0, x1), (y1, x1): the kernel's order of terms and of each product.
        let terms = [(top, columns.lower, nearY, nearX), (bottom, columns.lower, farY, nearX),
                     (top, columns.upper, nearY, farX), (bottom, columns.upper, farY, farX)]
            .map { rowsValue, taps, yWeight, xWeight in mul(mul(gather(rowsValue, taps, 3), yWeight), xWeight) }
        let sum = add(add(add(terms[0], terms[1]), terms[2]), terms[3])
        let rounded = ctx.emit("Floor", [add(sum, ctx.float32(0.5, hint: "half"))], hint: "resize")
        let clamped = ctx.emit("Clip", [rounded, ctx.float32(0, hint: "min"), ctx.float32(255, hint: "max")],
                               hint: "resize")
        ctx.emit("Cast", [clamped], ["to": .int(2)], output: ctx.outputName(out), hint: "resize")   // 2: UINT8
    }
}
