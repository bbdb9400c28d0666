// LOGISTIC and TANH on int8, as TFLite's reference kernels compute them: a 256-entry table made
// once from float math (dequantize, the function in float32, ×1/s_y rounded half away from
// zero, + z_y, saturated; activations.cc PopulateLookupTable), applied per element. Imported as
// a Gather from the int8 table at (q + 128), as is HARD_SWISH's (HardSwishTable). SOFTMAX's float
// exp table goes to lookupSoftmax.

import EFCore
import Foundation

extension IntegerTranslators {
    /// The translator of an int8 activation TFLite evaluates through a lookup table of `transform`.
    static func lookupTable(_ transform: @escaping (Float) -> Float) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
            let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
            guard qx.dtype == .int8, qy.dtype == .int8 else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): only int8 lookup-table activations are "
                    + "supported")
            }
            let table = Tensor(shape: [256], scalars: (-128...127).map { value in
                entry(transform, Int32(value), qx, qy)
            })
            try gather(table, x, out, ctx)
        }
    }

    /// One table entry: round(f(s_x·(q − z_x)) · (1/s_y)) + z_y, saturated to int8.
    static func entry(_ transform: (Float) -> Float, _ value: Int32, _ qx: TensorQuantization,
                      _ qy: TensorQuantization) -> Int8 {
        let inverse: Float = 1 / qy.scale
        let dequantized = qx.scale * Float(value - qx.zeroPoint)
        let rescaled = (transform(dequantized) * inverse).rounded()
        let quantized = rescaled + Float(qy.zeroPoint)
        guard quantized.isFinite else { return quantized > 0 ? .max : .min }
        return Int8(Swift.min(Swift.max(quantized, -128), 127))
    }

    /// HARD_SWISH on int8: TFLite's fixed-point kernel evaluated once per value (HardSwishTable).
    static func hardSwish(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
        guard qx.dtype == .int8, qy.dtype == .int8, let table = HardSwishTable.make(qx, qy) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): this quantized HARD_SWISH is not supported "
                + "(int8 with an output scale at least the input's / 128)")
        }
        try gather(Tensor(shape: [256], scalars: table), x, out, ctx)
    }

    /// Output `out` = table[q + 128] for the int8 tensor `x`.
    static func gather(_ table: Tensor, _ x: Int, _ out: Int, _ ctx: TranslationContext) throws {
        let index = ctx.emit("Add", [ctx.emit("Cast", [try ctx.value(x)], ["to": .int(6)], hint: "index"),
                                     ctx.int32(128, hint: "offset")], hint: "index")   // 6: INT32
        ctx.emit("Gather", [ctx.addInitializer(table, hint: "\(ctx.tensor(out).name)/table"), index],
                 ["axis": .int(0)], output: ctx.outputName(out), hint: ctx.tensor(out).name)
    }

    /// SOFTMAX on int8 (options: beta, field 0) over the last TFLite axis: the float table
    /// table[255 − d] = exp(−s_x·β·d) made here as TFLite makes it, the rows in `lookupSoftmax`.
    static func softmax(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
        guard qx.dtype == .int8, qy.dtype == .int8 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): only int8 → int8 quantized softmax is supported")
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

    /// TFLite's logistic in float: 1 / (1 + exp(−x)).
    static let logistic: (Float) -> Float = { 1 / (1 + Foundation.exp(-$0)) }
    static let tanh: (Float) -> Float = { Foundation.tanh($0) }
}
