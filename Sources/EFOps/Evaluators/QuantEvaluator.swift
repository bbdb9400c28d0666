// Evaluators for the Quant op group. Scales and zero points arrive as tensors (constants or
// runtime values alike).

import EFCore
import EFKernels

enum QuantEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        func input(_ index: Int, _ role: String) throws -> Tensor { try inputs.required(index, role) }
        func optional(_ index: Int) -> Tensor? { inputs.optional(index) }
        switch parameters {
        case .quantizeLinear(let p):
            guard let dtype = p.outputDType else {
                throw EdgeflowError(.invalidModel, "missing or malformed parameter 'outputDType'")
            }
            return [try Kernels.quantizeLinear(try input(0, "x"), scale: try input(1, "scale"), zeroPoint: optional(2),
                                               axis: p.axis, blockSize: p.blockSize, outputDType: dtype,
                                               saturate: p.saturate)]
        case .dequantizeLinear(let p):
            return [try Kernels.dequantizeLinear(try input(0, "x"), scale: try input(1, "scale"),
                                                 zeroPoint: optional(2), axis: p.axis, blockSize: p.blockSize,
                                                 outputDType: p.outputDType)]
        case .dynamicQuantizeLinear:
            let (y, scale, zeroPoint) = try Kernels.dynamicQuantizeLinear(try input(0, "x"))
            return [y, scale, zeroPoint]
        case .matMulInteger:
            return [try Kernels.matMulInteger(try input(0, "a"), try input(1, "b"), aZeroPoint: optional(2),
                                              bZeroPoint: optional(3))]
        case .convInteger(let window):
            return [try Kernels.convInteger(try input(0, "x"), weight: try input(1, "w"), xZeroPoint: optional(2),
                                            wZeroPoint: optional(3), window)]
        case .qlinearMatMul:
            return [try Kernels.qlinearMatMul(a: try input(0, "a"), aScale: try input(1, "a_scale"),
                                              aZeroPoint: optional(2), b: try input(3, "b"),
                                              bScale: try input(4, "b_scale"), bZeroPoint: optional(5),
                                              yScale: try input(6, "y_scale"), yZeroPoint: optional(7))]
        case .qlinearConv(let window):
            return [try Kernels.qlinearConv(x: try input(0, "x"), xScale: try input(1, "x_scale"),
                                            xZeroPoint: optional(2), weight: try input(3, "w"),
                                            wScale: try input(4, "w_scale"), wZeroPoint: optional(5),
                                            yScale: try input(6, "y_scale"), yZeroPoint: optional(7),
                                            bias: optional(8), window)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a quant op")
        }
    }
}
