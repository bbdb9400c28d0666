// FULLY_CONNECTED with float activations and int8 weights: what TF's dynamic-range quantization
// (Optimize.DEFAULT without a calibration set) makes. LiteRT's hybrid kernel quantizes each
// input row to int8 at run time, multiplies in int32 and scales back; this follows it step by
// step so the results are LiteRT's: per row its min and max, then either the asymmetric scheme
// (asymmetric_quantize_inputs, TF's default since 2.3: scale and nudged zero point in double,
// q = round(zp + x · (1/scale)) in float) or the symmetric one (range = max |x|, scale range/127,
// q = round(x · 127/range)); q·W in int32 (less zp · the weights' row sums); then
// float(acc) · (scale · weight scale) + bias and the fused activation. A row of zeros gives the bias.

import EFCore
import EFKernels
import EFONNX

enum HybridFullyConnected {
    /// Whether `op` is a FULLY_CONNECTED reading float input with constant int8 weights that carry
    /// a scale per tensor or per output unit and zero points 0.
    static func applies(_ op: TFLiteOperator, in graph: TFLiteSubgraph) -> Bool {
        guard op.inputs.count > 1, op.outputs.count == 1, op.inputs[0] >= 0, op.inputs[1] >= 0,
              op.inputs[0] < graph.tensors.count, op.inputs[1] < graph.tensors.count,
              op.outputs[0] >= 0, op.outputs[0] < graph.tensors.count,
              graph.tensors[op.inputs[0]].typeCode == 0, graph.tensors[op.outputs[0]].typeCode == 0,
              graph.tensors[op.inputs[1]].typeCode == 9,
              let q = graph.tensors[op.inputs[1]].quantization, q.isPresent else { return false }
        return q.zeroPoint.allSatisfy { $0 == 0 } && q.scale.allSatisfy { $0.isFinite && $0 > 0 }
    }

    static func emit(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let weights = try ctx.constantInput(op, 1, "weights")
        let scales = ctx.tensor(op.inputs[1]).quantization?.scale ?? []
        guard weights.rank == 2, weights.dtype == .int8, weights.shape[1] > 0,
              scales.count == 1 || scales.count == weights.shape[0] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): int8 weights \(weights.shape) with "
                + "\(scales.count) scales are not [out, in] with one scale or one per output")
        }
        let (units, depth) = (weights.shape[0], weights.shape[1])
        let flat = ctx.emit("Reshape", [try ctx.valueInTFLiteOrder(x), ctx.int64s([-1, depth], hint: "shape")],
                            hint: "flat")
        let asymmetric = try options.bool(3)
        let row = asymmetric ? DynamicQuantization.asymmetric(flat, axes: [1], ctx)
            : DynamicQuantization.symmetric(flat, axes: [1], ctx)
        var accumulator = ctx.emit("MatMulInteger", [
            row.quantized, ctx.addInitializer(try Kernels.transpose(weights, perm: [1, 0]), hint: "weight"),
        ], hint: ctx.tensor(out).name)
        if let offset = row.offset {
            let sums = weights.scalars(as: Int8.self).chunked(depth).map { $0.reduce(Int32(0)) { $0 + Int32($1) } }
            let correction = ctx.emit("Mul", [offset, ctx.addInitializer(Tensor(shape: [1, units], scalars: sums),
                                                                         hint: "row_sums")], hint: accumulator)
            accumulator = ctx.emit("Sub", [accumulator, correction], hint: accumulator)
        }
        let weightScales = Tensor(shape: [1, scales.count], scalars: scales)
        let scale = ctx.emit("Mul", [row.scale, ctx.addInitializer(weightScales, hint: "weight_scales")],
                             hint: "scale")
        var product = ctx.emit("Mul", [ctx.emit("Cast", [accumulator], ["to": .int(1)], hint: accumulator), scale],
                               hint: accumulator)
        if op.inputs.count > 2, op.inputs[2] >= 0 {
            product = ctx.emit("Add", [product, try ctx.value(op.inputs[2])], hint: product)
        }
        let activated = try ctx.activation(try options.byte(0), product)
        let shape = try ctx.fullyConnectedShape(op, units: units, depth: depth)
        ctx.produceInTFLiteOrder(out) { name in
            ctx.emit("Reshape", [activated, ctx.int64s(shape, hint: "shape")], output: name, hint: activated)
        }
    }
}

private extension Array {
    /// Consecutive slices of `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
