// Shape rules of Edgeflow's int8 ops (quantizedConv, quantizedMatMul): operand dtypes as the
// contract in docs/numerics.md fixes them, bias and multiplier shapes per output channel, and
// the output's shape (as conv or matMul) and dtype (uint8 or float32, as the op's output says);
// and of TFLite's fixedPointRequantize (int32 in, x's shape out) and lookupSoftmax (int8/uint8).

import EFCore

enum QuantizedShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        switch node.params {
        case .quantizedConv(let p):
            let x = try operand(inputs, 0, "x", .uint8), w = try operand(inputs, 1, "w", .int8)
            guard w.shape.count == x.shape.count, x.shape.count >= 3 else {
                throw EdgeflowError(.invalidModel,
                    "quantizedConv needs x and w of the same rank ≥ 3, got \(x.shape) and \(w.shape)")
            }
            let channels = w.shape[0]
            try perChannel(inputs, channels)
            try LinearShapes.checkFusedActivation(activation(p.output))
            if p.channelsLast {
                let rank = x.shape.count
                let first = [x.shape[0], x.shape[rank - 1]] + x.shape[1..<(rank - 1)]
                let y = try LinearShapes.convShape(first, w.shape, p.window)
                return [TensorType(p.output.dtype, [y[0]] + y[2...] + [y[1]])]
            }
            return [TensorType(p.output.dtype, try LinearShapes.convShape(x.shape, w.shape, p.window))]
        case .quantizedMatMul(let p):
            let a = try operand(inputs, 0, "a", .uint8), b = try operand(inputs, 1, "b", .int8)
            guard a.shape.count >= 2, b.shape.count == 2 else {
                throw EdgeflowError(.invalidModel,
                    "quantizedMatMul needs a [..., M, K] and b [K, N], got \(a.shape) and \(b.shape)")
            }
            try perChannel(inputs, b.shape[1])
            try LinearShapes.checkFusedActivation(activation(p.output))
            return [TensorType(p.output.dtype, try LinearShapes.matMulShape(a.shape, b.shape))]
        case .fixedPointRequantize(let p):
            return [try fixedPointRequantize(p, inputs)]
        case .lookupSoftmax(let axis, _, _):
            let x = try OpShapes.required(inputs, 0, "x"), table = try operand(inputs, 1, "table", .float32)
            guard x.dtype == .int8 || x.dtype == .uint8, table.shape == [256], (0..<x.shape.count).contains(axis)
            else {
                throw EdgeflowError(.invalidModel, "lookupSoftmax needs int8 or uint8 x, a float32 [256] table and "
                    + "an axis of x, got \(x.dtype.rawValue) \(x.shape), \(table.shape) and axis \(axis)")
            }
            return [x]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not an Edgeflow int8 op")
        }
    }

    private static func operand(_ inputs: [TensorType?], _ index: Int, _ role: String,
                                _ dtype: DType) throws -> TensorType {
        let type = try OpShapes.required(inputs, index, role)
        guard type.dtype == dtype else {
            throw EdgeflowError(.invalidModel, "\(role) must be \(dtype.rawValue), got \(type.dtype.rawValue)")
        }
        return type
    }

    /// Bias (input 2, optional) int32 and multipliers (input 3) float32, both [channels].
    private static func perChannel(_ inputs: [TensorType?], _ channels: Int) throws {
        if inputs.count > 2, let bias = inputs[2], bias != TensorType(.int32, [channels]) {
            throw EdgeflowError(.invalidModel, "bias must be int32 [\(channels)], got \(bias)")
        }
        let multipliers = try OpShapes.required(inputs, 3, "multipliers")
        guard multipliers == TensorType(.float32, [channels]) else {
            throw EdgeflowError(.invalidModel, "multipliers must be float32 [\(channels)], got \(multipliers)")
        }
    }

    /// x int32; multipliers and shifts int32 [C], C = 1 or x.shape[axis].
    private static func fixedPointRequantize(_ p: FixedPointRequantizeOp, _ inputs: [TensorType?]) throws
        -> TensorType {
        let x = try operand(inputs, 0, "x", .int32)
        let multipliers = try operand(inputs, 1, "multipliers", .int32)
        let shifts = try operand(inputs, 2, "shifts", .int32)
        guard multipliers.shape.count == 1, shifts.shape == multipliers.shape else {
            throw EdgeflowError(.invalidModel, "fixedPointRequantize needs multipliers and shifts of one shape [C], "
                + "got \(multipliers.shape) and \(shifts.shape)")
        }
        let channels = multipliers.shape[0]
        guard channels == 1 || (0..<x.shape.count).contains(p.axis) && x.shape[p.axis] == channels else {
            throw EdgeflowError(.invalidModel, "fixedPointRequantize: \(channels) multipliers do not match axis "
                + "\(p.axis) of x \(x.shape)")
        }
        return TensorType(p.outputDType, x.shape)
    }

    private static func activation(_ output: QuantizedOutput) -> FusedActivation? {
        if case .float32(let activation) = output { return activation }
        return nil
    }
}
