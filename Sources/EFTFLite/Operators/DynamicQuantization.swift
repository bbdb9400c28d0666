// The run-time quantization of float values to int8 that LiteRT's hybrid kernels (float
// activations, int8 weights) apply before multiplying: per slice (a row of a FULLY_CONNECTED
// input, a whole image of a CONV_2D batch) its min and max, then TFLite's symmetric or
// asymmetric scheme (portable_tensor_utils), in the same float32 and double steps so every
// integer is LiteRT's. Shared by HybridFullyConnected and HybridConv.

import EFCore
import EFONNX

enum DynamicQuantization {
    /// The values quantized to int8, the float scale of each slice (reduced axes kept as 1), and
    /// (asymmetric) each slice's int32 zero point.
    struct Quantized {
        var quantized: String
        var scale: String
        var offset: String?
    }

    /// TFLite's SymmetricQuantizeFloats per slice: range = max(|min|, |max|) (1 for a row of zeros),
    /// scale = range / 127, q = round(x · (127 / range)) clamped to ±127.
    static func symmetric(_ flat: String, axes: [Int], _ ctx: TranslationContext) -> Quantized {
        let low = ctx.emit("ReduceMin", [flat], ["axes": .ints(axes), "keepdims": .int(1)], hint: "row_min")
        let high = ctx.emit("ReduceMax", [flat], ["axes": .ints(axes), "keepdims": .int(1)], hint: "row_max")
        let range = ctx.emit("Max", [ctx.emit("Abs", [low], hint: low), ctx.emit("Abs", [high], hint: high)],
                             hint: "range")
        let zero = ctx.float32(0, hint: "zero"), one = ctx.float32(1, hint: "one")
        let safe = ctx.emit("Where", [ctx.emit("Equal", [range, zero], hint: range), one, range], hint: range)
        let levels = ctx.float32(127, hint: "levels")
        let scale = ctx.emit("Div", [safe, levels], hint: "scale")
        let inverse = ctx.emit("Div", [levels, safe], hint: "inverse")
        let scaled = ctx.emit("Mul", [flat, inverse], hint: "scaled")
        return Quantized(quantized: quantized(scaled, -127...127, ctx), scale: scale, offset: nil)
    }

    /// TFLite's AsymmetricQuantizeFloats per slice: [min(0, min), max(0, max)] in double, scale =
    /// span / 255, the zero point from whichever end has the smaller error, nudged into
    /// [−128, 127] (rounded half away from zero); q = round(x · float(1 / scale)) + zp. The portable
    /// code rounds zp + x/scale, which differs at ties (68.5 − 128 rounds to −60, 69 − 128 is −59);
    /// LiteRT's x86 build rounds first, and its results are the reference here.
    static func asymmetric(_ flat: String, axes: [Int], _ ctx: TranslationContext) -> Quantized {
        func double(_ value: Double, _ hint: String) -> String {
            ctx.addInitializer(Tensor(shape: [], scalars: [value]), hint: hint)
        }
        func wide(_ value: String) -> String {
            ctx.emit("Cast", [value], ["to": .int(OnnxDataType.code(.float64))], hint: value)
        }
        let zero = double(0, "zero")
        let low = ctx.emit("Min", [wide(ctx.emit("ReduceMin", [flat], ["axes": .ints(axes), "keepdims": .int(1)],
                                                 hint: "row_min")), zero], hint: "rmin")
        let high = ctx.emit("Max", [wide(ctx.emit("ReduceMax", [flat], ["axes": .ints(axes), "keepdims": .int(1)],
                                                  hint: "row_max")), zero], hint: "rmax")
        let flatRow = ctx.emit("Equal", [low, high], hint: "constant_row")
        let span = ctx.emit("Div", [ctx.emit("Sub", [high, low], hint: "span"), double(255, "levels")], hint: "span")
        let scale = ctx.emit("Where", [flatRow, double(1, "one"), span], hint: "scale")
        let lowSteps = ctx.emit("Div", [low, scale], hint: "low_steps")
        let highSteps = ctx.emit("Div", [high, scale], hint: "high_steps")
        let fromLow = ctx.emit("Sub", [double(-128, "qmin"), lowSteps], hint: "zp_low")
        let fromHigh = ctx.emit("Sub", [double(127, "qmax"), highSteps], hint: "zp_high")
        let lowError = ctx.emit("Add", [double(128, "qmin_abs"), ctx.emit("Abs", [lowSteps], hint: "e")], hint: "e")
        let highError = ctx.emit("Add", [double(127, "qmax_abs"), ctx.emit("Abs", [highSteps], hint: "e")], hint: "e")
        let candidate = ctx.emit("Where", [ctx.emit("Less", [lowError, highError], hint: "nearer"), fromLow, fromHigh],
                                 hint: "zp")
        let nudged = ctx.emit("Clip", [ctx.roundedHalfAway(candidate), double(-128, "qmin"), double(127, "qmax")],
                              hint: "zp")
        let offset = ctx.emit("Where", [flatRow, zero, nudged], hint: "zp")
        let floatScale = ctx.emit("Cast", [scale], ["to": .int(1)], hint: "scale")
        // float(1.0 / double(scale)), as TFLite writes it.
        let inverse = ctx.emit("Cast", [ctx.emit("Div", [double(1, "one"), wide(floatScale)], hint: "inverse")],
                               ["to": .int(1)], hint: "inverse")
        let offsetInt = ctx.emit("Cast", [offset], ["to": .int(OnnxDataType.code(.int32))], hint: offset)
        let scaled = ctx.emit("Mul", [flat, inverse], hint: "scaled")
        return Quantized(quantized: quantized(scaled, -128...127, plus: offset, ctx), scale: floatScale,
                         offset: offsetInt)
    }

    /// std::round of float32 `value` (half away from zero, exact in double), plus the float64 `offset`
    /// when given, clamped, as int8.
    private static func quantized(_ value: String, _ bounds: ClosedRange<Int>, plus offset: String? = nil,
                                  _ ctx: TranslationContext) -> String {
        let wide = ctx.emit("Cast", [value], ["to": .int(OnnxDataType.code(.float64))], hint: value)
        var rounded = ctx.roundedHalfAway(wide)
        if let offset { rounded = ctx.emit("Add", [rounded, offset], hint: value) }
        let clamped = ctx.emit("Clip", [rounded,
                                        ctx.addInitializer(Tensor(shape: [], scalars: [Double(bounds.lowerBound)]),
                                                           hint: "qmin"),
                                        ctx.addInitializer(Tensor(shape: [], scalars: [Double(bounds.upperBound)]),
                                                           hint: "qmax")], hint: value)
        return ctx.emit("Cast", [clamped], ["to": .int(OnnxDataType.code(.int8))], hint: value)
    }
}
