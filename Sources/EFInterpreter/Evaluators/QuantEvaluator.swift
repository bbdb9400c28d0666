// Evaluators for the Quant op group. Scales and zero points arrive as tensors (constants or
// runtime values alike).

import EFCore
import EFIR
import EFKernels

enum QuantEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        let a = node.attributes
        func input(_ index: Int, _ role: String) throws -> Tensor { try NodeEvaluator.required(inputs, index, role) }
        func optional(_ index: Int) -> Tensor? { LinearEvaluator.optional(inputs, index) }
        switch node.op {
        case .quantizeLinear:
            return [try Kernels.quantizeLinear(try input(0, "x"), scale: try input(1, "scale"), zeroPoint: optional(2),
                                               axis: a.int("axis", default: 1), blockSize: a.int("blockSize", default: 0),
                                               outputDType: try a.requiredDType("outputDType"))]
        case .dequantizeLinear:
            return [try Kernels.dequantizeLinear(try input(0, "x"), scale: try input(1, "scale"), zeroPoint: optional(2),
                                                 axis: a.int("axis", default: 1), blockSize: a.int("blockSize", default: 0),
                                                 outputDType: a.dtype("outputDType"))]
        case .dynamicQuantizeLinear:
            let (y, scale, zeroPoint) = try Kernels.dynamicQuantizeLinear(try input(0, "x"))
            return [y, scale, zeroPoint]
        case .matMulInteger:
            return [try Kernels.matMulInteger(try input(0, "a"), try input(1, "b"), aZeroPoint: optional(2), bZeroPoint: optional(3))]
        case .convInteger:
            return [try Kernels.convInteger(try input(0, "x"), weight: try input(1, "w"), xZeroPoint: optional(2),
                                            wZeroPoint: optional(3), LinearEvaluator.convParameters(a))]
        case .qlinearMatMul:
            return [try Kernels.qlinearMatMul(a: try input(0, "a"), aScale: try input(1, "a_scale"), aZeroPoint: optional(2),
                                              b: try input(3, "b"), bScale: try input(4, "b_scale"), bZeroPoint: optional(5),
                                              yScale: try input(6, "y_scale"), yZeroPoint: optional(7))]
        case .qlinearConv:
            return [try Kernels.qlinearConv(x: try input(0, "x"), xScale: try input(1, "x_scale"), xZeroPoint: optional(2),
                                            weight: try input(3, "w"), wScale: try input(4, "w_scale"), wZeroPoint: optional(5),
                                            yScale: try input(6, "y_scale"), yZeroPoint: optional(7), bias: optional(8),
                                            LinearEvaluator.convParameters(a))]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a quant op")
        }
    }
}
