// LOGISTIC, TANH, EXP, ELU and GELU on int8/uint8, as TFLite's kernels compute them: a 256-entry table made
// once from float math (dequantize, the function in float32, ×1/s_y rounded half away from
// zero, + z_y, saturated; activations.cc PopulateLookupTable), applied per element. Imported as
// a Gather from the table at q − min (q + 128 for int8), as is HARD_SWISH's (HardSwishTable). SOFTMAX's float
// exp table goes to lookupSoftmax.

import EFCore
import EFKernels
import Foundation

extension IntegerTranslators {
    /// The translator of an 8-bit activation TFLite evaluates through a lookup table of `transform`.
    static func lookupTable(_ transform: @escaping (Float) -> Float) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
            let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
            try gather(qx.range.map { entry(transform, $0, qx, qy) }, x, qx, out, qy, ctx)
        }
    }

    /// One table entry: round(f(s_x·(q − z_x)) · (1/s_y)) + z_y, saturated to the output's type.
    static func entry(_ transform: (Float) -> Float, _ value: Int32, _ qx: TensorQuantization,
                      _ qy: TensorQuantization) -> Int32 {
        let inverse: Float = 1 / qy.scale
        let dequantized = qx.scale * Float(value - qx.zeroPoint)
        let rescaled = (transform(dequantized) * inverse).rounded()
        let quantized = rescaled + Float(qy.zeroPoint)
        guard quantized.isFinite else { return quantized > 0 ? qy.range.upperBound : qy.range.lowerBound }
        return Int32(Swift.min(Swift.max(quantized, Float(qy.range.lowerBound)), Float(qy.range.upperBound)))
    }

    /// HARD_SWISH on 8 bits: TFLite's fixed-point kernel evaluated once per value (HardSwishTable).
    static func hardSwish(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        guard qx.dtype == qy.dtype, let table = HardSwishTable.make(qx, qy) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): this quantized HARD_SWISH is not supported "
                + "(int8 or uint8 throughout, with an output scale at least the input's / 128)")
        }
        try gather(table, x, qx, out, qy, ctx)
    }

    /// Output `out` = table[q − min] for the 8-bit tensor `x`: `table` holds one result (in the
    /// output's range) per value of the input's type, in order.
    static func gather(_ table: [Int32], _ x: Int, _ qx: TensorQuantization, _ out: Int, _ qy: TensorQuantization,
                       _ ctx: TranslationContext) throws {
        var index = ctx.emit("Cast", [try ctx.value(x)], ["to": .int(6)], hint: "index")   // 6: INT32
        if qx.range.lowerBound != 0 {
            index = ctx.emit("Add", [index, ctx.int32(-qx.range.lowerBound, hint: "offset")], hint: "index")
        }
        let values = try Kernels.cast(Tensor(shape: [table.count], scalars: table), to: qy.dtype)
        ctx.emit("Gather", [ctx.addInitializer(values, hint: "\(ctx.tensor(out).name)/table"), index],
                 ["axis": .int(0)], output: ctx.outputName(out), hint: ctx.tensor(out).name)
    }

    /// SOFTMAX on int8 or uint8 (options: beta, field 0) over the last TFLite axis: the float table
    /// table[255 − d] = exp(−s_x·β·d) made here as TFLite makes it, the rows in `lookupSoftmax`.
    static func softmax(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        guard qx.dtype == qy.dtype else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): a quantized softmax from \(qx.dtype.rawValue) to "
                + "\(qy.dtype.rawValue) is not supported (int8 → int8 and uint8 → uint8 are)")
        }
        let scale = -qx.scale * (try Options(op).float(0, 1))
        var table = [Float](repeating: 0, count: 256)
        for value in 0...255 { table[255 - value] = Foundation.exp(scale * Float(value)) }
        let rank = ctx.rank(x)
        ctx.emit("LookupSoftmax", [try ctx.value(x), ctx.addInitializer(Tensor(shape: [256], scalars: table),
                                                                       hint: "\(ctx.tensor(out).name)/table")],
                 ["axis": .int(Layout.nchwAxis(rank - 1, rank: rank)), "scale": .float(qy.scale),
                  "zero_point": .int(Int(qy.zeroPoint))],
                 domain: "ai.edgeflow", output: ctx.outputName(out), hint: ctx.tensor(out).name)
    }

    /// GELU on 8 bits (options field 0 chooses the tanh approximation), through the table of
    /// LiteRT's gelu.cc transform in float32.
    static func gelu(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try lookupTable(try Options(op).bool(0) ? geluTanh : geluExact)(op, ctx)
    }

    /// gelu.cc's exact transform: 0.5·x·erfc(−x/√2), in float32 in that order.
    static let geluExact: (Float) -> Float = { 0.5 * $0 * Foundation.erfc($0 * -Float(0.5.squareRoot())) }
    /// gelu.cc's approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in float32 in that order.
    static let geluTanh: (Float) -> Float = { x in
        let cubic = 0.044715 * x * x * x
        return 0.5 * x * (1 + Foundation.tanh(Float(0.797_884_560_802_865_4) * (x + cubic)))
    }

    /// TFLite's logistic in float: 1 / (1 + exp(−x)).
    static let logistic: (Float) -> Float = { 1 / (1 + Foundation.exp(-$0)) }
    static let tanh: (Float) -> Float = { Foundation.tanh($0) }
    static let exp: (Float) -> Float = { Foundation.exp($0) }
    /// TFLite's ELU table function: exp(x) − 1 below zero, x above.
    static let elu: (Float) -> Float = { $0 < 0 ? Foundation.exp($0) - 1 : $0 }
}
