// Dispatch of fast lowerings by op. Each lowering returns a step, or throws
// FastPathUnavailable with the reason the step runs its reference kernel instead.

import EFCore
import EFOps

enum FastLowering {
    static func lower(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        switch node.op {
        case .unary: return try ElementwiseLowering.unary(node, context)
        case .binary: return try ElementwiseLowering.binary(node, context)
        case .conv: return try MatrixLowering.conv(node, context)
        case .convTranspose: return try MatrixLowering.convTranspose(node, context)
        case .matMul: return try MatrixLowering.matMul(node, context)
        case .softmax, .logSoftmax: return try ReductionLowering.softmax(node, context)
        case .layerNorm: return try ReductionLowering.layerNorm(node, context)
        case .reduce: return try ReductionLowering.reduce(node, context)
        case .pool: return try WindowLowering.pool(node, context)
        case .transpose: return try WindowLowering.transpose(node, context)
        case .concat: return try MovementLowering.concat(node, context)
        case .gather: return try MovementLowering.gather(node, context)
        case .slice: return try MovementLowering.slice(node, context)
        case .resize: return try MovementLowering.resize(node, context)
        case .quantizedConv: return try QuantizedLowering.conv(node, context)
        case .quantizedMatMul: return try QuantizedLowering.matMul(node, context)
        case .quantizeLinear: return try QuantizedLowering.quantizeLinear(node, context)
        case .dequantizeLinear: return try QuantizedLowering.dequantizeLinear(node, context)
        case .convInteger: return try IntegerConvLowering.convInteger(node, context)
        case .fixedPointRequantize: return try IntegerLowering.fixedPointRequantize(node, context)
        case .cast: return try IntegerLowering.widen(node, context)
        case .`where`: return try IntegerLowering.select(node, context)
        default:
            throw FastPathUnavailable("no fast kernel for \(node.op.rawValue)")
        }
    }

    /// A lowering reached with parameters of another op (a bug in the dispatch).
    static func mismatch(_ node: PlannedStep) -> EdgeflowError {
        EdgeflowError(.internalError, "step '\(node.name)' reached the wrong lowering for \(node.op.rawValue)")
    }
}

/// Thrown by a lowering when no fast kernel takes the step; it runs its reference kernel.
struct FastPathUnavailable: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
