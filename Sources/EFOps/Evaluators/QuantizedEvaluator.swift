// Evaluator of Edgeflow's int8 ops with the contract's reference kernels (EFKernels'
// QuantizedContract.swift): int32 accumulators, then requantization to u8 or dequantization to
// float32 with the fused activation. The quantized emulator runs exactly this. Also TFLite's
// fixed-point requantization (fixedPointRequantize) and int8 softmax (lookupSoftmax).

import EFCore
import EFKernels

enum QuantizedEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        if case .fixedPointRequantize(let p) = parameters {
            return [try Kernels.fixedPointRequantize(try inputs.required(0, "x"),
                                                     multipliers: try inputs.required(1, "multipliers"),
                                                     shifts: try inputs.required(2, "shifts"), axis: p.axis,
                                                     zeroPoint: p.zeroPoint, lower: p.lower, upper: p.upper,
                                                     to: p.outputDType)]
        }
        if case .lookupSoftmax(let axis, let scale, let zeroPoint) = parameters {
            return [try Kernels.lookupSoftmax(try inputs.required(0, "x"), table: try inputs.required(1, "table"),
                                              axis: axis, scale: scale, zeroPoint: zeroPoint)]
        }
        let multipliers = try inputs.required(3, "multipliers")
        switch parameters {
        case .quantizedConv(let p):
            let w = try inputs.required(1, "w")
            return [try LinearEvaluator.channelsFirst(try inputs.required(0, "x"), p.channelsLast) { x in
                let acc = try Kernels.quantizedConvAccumulators(x, weight: w, bias: inputs.optional(2),
                                                                zeroPoint: p.inputZeroPoint, p.window)
                return try finish(acc, multipliers, inner: acc.shape[2...].reduce(1, *),
                                  channels: w.shape[0], p.output)
            }]
        case .quantizedMatMul(let p):
            let b = try inputs.required(1, "b")
            let acc = try Kernels.quantizedMatMulAccumulators(try inputs.required(0, "a"), b, bias: inputs.optional(2),
                                                              zeroPoint: p.inputZeroPoint)
            return [try finish(acc, multipliers, inner: 1, channels: b.shape.last ?? 0, p.output)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not an Edgeflow int8 op")
        }
    }

    private static func finish(_ acc: Tensor, _ multipliers: Tensor, inner: Int, channels: Int,
                               _ output: QuantizedOutput) throws -> Tensor {
        switch output {
        case .uint8(let zeroPoint, let lower, let upper):
            return try Kernels.requantize(acc, multipliers: multipliers, inner: inner, channels: channels,
                                          zeroPoint: zeroPoint, lower: lower, upper: upper)
        case .float32(let activation):
            let y = try Kernels.dequantizeAccumulators(acc, scales: multipliers, inner: inner, channels: channels)
            guard let activation else { return y }
            return try Kernels.unary(activation.fn, y, activation.constants)
        }
    }
}
