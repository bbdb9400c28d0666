// TFLite operators computing on int8 or uint8 tensors, imported onto exact integer ops so the model
// gives LiteRT's reference kernels' bytes (uint8 filters carry a zero point, per tensor):
// CONV_2D/DEPTHWISE_CONV_2D (ConvInteger, int32 bias) end in one FixedPointRequantize per output
// channel (TRANSPOSE_CONV too, in IntegerTransposeConv), FULLY_CONNECTED (MatMulInteger) in
// LiteRT's rounding in double; ADD/SUB
// rescale both operands to 2^20 · the larger scale first (TFLite's left shift of 20); MUL, the
// ReLUs and int8 → int8 QUANTIZE requantize once; AVERAGE_POOL_2D in IntegerPoolTranslator,
// LOGISTIC, TANH, EXP, GELU and SOFTMAX in IntegerLookupTranslators, MEAN and SUM in
// IntegerMeanSumTranslator, the comparisons in IntegerComparisons.
// Data movement (max pool, reshape, pad, concat, nearest resize, …) keeps the bytes and goes
// through the float translators, which read the integers' clamps.

import EFCore
import EFKernels
import EFONNX

enum IntegerTranslators {
    /// The operators Edgeflow runs on TFLite's int8 tensors, by code.
    static let table: [Int32: OperatorTranslator] = {
        var table: [Int32: OperatorTranslator] = [
            BuiltinOperator.fullyConnected: fullyConnected, BuiltinOperator.add: addOrSub(subtract: false),
            BuiltinOperator.sub: addOrSub(subtract: true), BuiltinOperator.mul: mul,
            BuiltinOperator.relu: reluX(0, nil), BuiltinOperator.relu6: reluX(0, 6),
            BuiltinOperator.reluN1To1: reluX(-1, 1), BuiltinOperator.quantize: quantize,
            BuiltinOperator.logistic: lookupTable(logistic), BuiltinOperator.tanh: lookupTable(tanh),
            BuiltinOperator.exp: lookupTable(exp), BuiltinOperator.elu: lookupTable(elu), BuiltinOperator.abs: abs,
            BuiltinOperator.softmax: softmax, BuiltinOperator.hardSwish: hardSwish,
            BuiltinOperator.leakyRelu: leakyRelu, BuiltinOperator.prelu: prelu,
            BuiltinOperator.resizeBilinear: resizeBilinear,
            BuiltinOperator.batchMatMul: ReshapingTranslators.table[BuiltinOperator.batchMatMul]!,
            BuiltinOperator.squaredDifference: squaredDifference, BuiltinOperator.rsqrt: rsqrt,
            BuiltinOperator.gelu: gelu,
        ]
        for code in [BuiltinOperator.conv2D, BuiltinOperator.depthwiseConv2D, BuiltinOperator.transposeConv,
                     BuiltinOperator.maxPool2D,
                     BuiltinOperator.averagePool2D, BuiltinOperator.mean, BuiltinOperator.sum] {
            table[code] = ConvTranslators.table[code] ?? ReduceTranslators.table[code]
        }
        for code in [BuiltinOperator.reshape, BuiltinOperator.transpose, BuiltinOperator.concatenation,
                     BuiltinOperator.pad, BuiltinOperator.depthToSpace, BuiltinOperator.resizeNearestNeighbor] {
            table[code] = ShapeTranslators.table[code]
        }
        // Data movement copies the int8 values as they are, as TFLite's kernels do.
        for code in [BuiltinOperator.stridedSlice, BuiltinOperator.slice] {
            table[code] = SliceTranslators.table[code]
        }
        for code in [BuiltinOperator.squeeze, BuiltinOperator.expandDims, BuiltinOperator.split,
                     BuiltinOperator.splitV, BuiltinOperator.pack, BuiltinOperator.unpack, BuiltinOperator.gather,
                     BuiltinOperator.tile, BuiltinOperator.padV2, BuiltinOperator.spaceToDepth] {
            table[code] = ReshapingTranslators.table[code]
        }
        // MAXIMUM and MINIMUM compare the stored values (TFLite requires one quantization), as do
        // REDUCE_MAX and REDUCE_MIN.
        for code in [BuiltinOperator.maximum, BuiltinOperator.minimum] { table[code] = MathTranslators.table[code] }
        for code in [BuiltinOperator.reduceMax, BuiltinOperator.reduceMin] {
            table[code] = ReduceTranslators.table[code].map(keepingQuantization)
        }
        // More data movement under one quantization, as LiteRT's kernels require for int8 (they
        // copy the stored values; SPACE_TO_BATCH_ND pads with the zero point).
        let moving: [(Int32, [Int32: OperatorTranslator])] = [
            (BuiltinOperator.spaceToBatchND, SpatialTranslators.table), (BuiltinOperator.batchToSpaceND,
            SpatialTranslators.table), (BuiltinOperator.mirrorPad, ReshapingTranslators.table),
            (BuiltinOperator.gatherND, IndexingTranslators.table), (BuiltinOperator.topKV2, IndexingTranslators.table),
            (BuiltinOperator.broadcastTo, FillTranslators.table), (BuiltinOperator.reverseV2, FillTranslators.table),
        ]
        for (code, group) in moving { table[code] = group[code].map(keepingQuantization) }
        table[BuiltinOperator.readVariable] = VariableTranslators.table[BuiltinOperator.readVariable]
        // SELECT copies the stored values of either operand, whatever their quantization (select.cc).
        for code in [BuiltinOperator.select, BuiltinOperator.selectV2] { table[code] = LogicTranslators.table[code] }
        return table
    }()

    /// `translate` (which moves or compares stored values) when input 0 and the output share one
    /// quantization; otherwise an `.unsupported` error.
    private static func keepingQuantization(_ translate: @escaping OperatorTranslator) -> OperatorTranslator {
        return { op, ctx in
            let input = try eightBit(try ctx.input(op, 0, "input"), ctx)
            let output = try eightBit(try ctx.output(op), ctx)
            guard input == output else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): input and output are quantized differently "
                    + "(scale \(input.scale), zero point \(input.zeroPoint) against \(output.scale), "
                    + "\(output.zeroPoint)); "
                    + "Edgeflow compares stored values only under one quantization")
            }
            try translate(op, ctx)
        }
    }

    /// The per-tensor quantization of tensor `index`, int8 or uint8 (TFLite's two 8-bit schemes).
    static func eightBit(_ index: Int, _ ctx: TranslationContext) throws -> TensorQuantization {
        let q = try ctx.quantization(index)
        guard q.dtype == .int8 || q.dtype == .uint8 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): tensor '\(ctx.tensor(index).name)' is "
                + "\(q.dtype.rawValue); Edgeflow runs TFLite's integer arithmetic on int8 and uint8 tensors only")
        }
        return q
    }

    /// The filter's scales and zero point. With an int8 input: int8, one scale per output channel
    /// or one, zero points 0. With a uint8 input (TFLite's older scheme): uint8, one scale and one
    /// zero point.
    static func filterQuantization(_ index: Int, channels: Int, input: TensorQuantization,
                                           _ ctx: TranslationContext) throws -> (scales: [Float], zeroPoint: Int32) {
        let tensor = ctx.tensor(index)
        if input.dtype == .uint8 {
            let q = try ctx.quantization(index)
            guard q.dtype == .uint8 else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): filter '\(tensor.name)' of a uint8 operator "
                    + "is \(q.dtype.rawValue), not uint8 quantized per tensor")
            }
            return ([q.scale], q.zeroPoint)
        }
        guard TensorData.dtype(tensor.typeCode) == .int8, let q = tensor.quantization, q.isPresent,
              q.scale.count == 1 || q.scale.count == channels, q.zeroPoint.allSatisfy({ $0 == 0 }),
              q.scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): filter '\(tensor.name)' is not int8 with one "
                + "positive scale per tensor or per output channel (\(channels)) and zero points 0")
        }
        return (q.scale, 0)
    }

    /// The zero-point inputs of ConvInteger/MatMulInteger: the input's, and the filter's when not 0.
    private static func zeroPoints(_ input: TensorQuantization, filter zeroPoint: Int32,
                                   _ ctx: TranslationContext) throws -> [String] {
        let x = try ctx.scalar(input.zeroPoint, input.dtype, hint: "zero_point")
        return zeroPoint == 0 ? [x] : [x, try ctx.scalar(zeroPoint, .uint8, hint: "filter_zero_point")]
    }

    /// s_x·s_w[c]/s_y per output channel in double, as TFLite's conv and fully connected kernels
    /// make their multipliers (one filter scale serves every channel).
    static func productScales(_ input: TensorQuantization, _ filter: [Float], _ output: TensorQuantization,
                                      channels: Int) -> [Double] {
        (0..<channels).map { c in
            Double(input.scale) * Double(filter.count == 1 ? filter[0] : filter[c]) / Double(output.scale)
        }
    }

    /// The int32 bias input `position` reshaped to broadcast along `axis` of a rank-`rank` value.
    static func bias(_ op: TFLiteOperator, _ position: Int, channels: Int, rank: Int, axis: Int,
                             _ ctx: TranslationContext) throws -> String? {
        guard op.inputs.count > position, op.inputs[position] >= 0 else { return nil }
        let value = try ctx.constantInput(op, position, "bias")
        guard value.dtype == .int32, value.count == channels else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): bias of an int8 operator must be int32 "
                + "[\(channels)], got \(value.dtype.rawValue) \(value.shape)")
        }
        var shape = [Int](repeating: 1, count: rank - axis)
        shape[0] = channels
        return ctx.addInitializer(value.reshaped(shape), hint: "\(ctx.tensor(op.inputs[position]).name)")
    }

    /// CONV_2D / DEPTHWISE_CONV_2D on int8: ConvInteger with the input's zero point, the int32
    /// bias, then per channel × s_x·s_w[c]/s_y into the output's zero point and activation clamp.
    static func conv(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, weight: Tensor,
                     attributes: [String: OnnxAttribute], activation: Int8) throws {
        let input = try eightBit(x, ctx), out = try ctx.output(op), output = try eightBit(out, ctx)
        let channels = weight.shape[0]
        let filter = try filterQuantization(op.inputs[1], channels: channels, input: input, ctx)
        var value = ctx.emit("ConvInteger", [
            try ctx.value(x), ctx.addInitializer(weight, hint: "\(ctx.tensor(x).name)/weight"),
        ] + (try zeroPoints(input, filter: filter.zeroPoint, ctx)), attributes, hint: ctx.tensor(out).name)
        if let bias = try bias(op, 2, channels: channels, rank: 4, axis: 1, ctx) {
            value = ctx.emit("Add", [value, bias], hint: value)
        }
        try ctx.requantize(value, by: productScales(input, filter.scales, output, channels: channels),
                           zeroPoint: output.zeroPoint,
                           clamp: try ctx.activationRange(activation, output), dtype: output.dtype,
                           output: ctx.outputName(out))
    }

    /// FULLY_CONNECTED on int8: MatMulInteger of the flattened input with the transposed weights.
    private static func fullyConnected(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        guard try options.byte(1) == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): shuffled weights format is not supported")
        }
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let input = try eightBit(x, ctx), output = try eightBit(out, ctx)
        let weights = try ctx.constantInput(op, 1, "weights")
        guard weights.rank == 2, weights.shape[1] > 0 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): weights \(weights.shape) are not [out, in]")
        }
        let units = weights.shape[0]
        let filter = try filterQuantization(op.inputs[1], channels: units, input: input, ctx)
        let flat = ctx.emit("Reshape", [try ctx.valueInTFLiteOrder(x), ctx.int64s([-1, weights.shape[1]],
                                                                               hint: "shape")], hint: "flat")
        let transposed = try Kernels.transpose(weights, perm: [1, 0])
        var value = ctx.emit("MatMulInteger", [
            flat, ctx.addInitializer(transposed, hint: "\(ctx.tensor(x).name)/weight"),
        ] + (try zeroPoints(input, filter: filter.zeroPoint, ctx)), hint: ctx.tensor(out).name)
        if let bias = try bias(op, 2, channels: units, rank: 2, axis: 1, ctx) {
            value = ctx.emit("Add", [value, bias], hint: value)
        }
        // LiteRT's int8 and uint8 FULLY_CONNECTED requantize in double (round(acc · s_x·s_w/s_y)),
        // unlike its convolutions' Q31 fixed point: the two differ in about 1 of 1,000 outputs.
        let scales = productScales(input, filter.scales, output, channels: units)
        let requantized = ctx.roundingRequantize(value, by: scales,
                                                 zeroPoint: output.zeroPoint,
                                                 clamp: try ctx.activationRange(try options.byte(0), output),
                                                 dtype: output.dtype)
        ctx.produceInTFLiteOrder(out) { name in
            ctx.emit("Reshape", [requantized, ctx.int64s(ctx.shape(out), hint: "shape")], output: name,
                     hint: requantized)
        }
    }

    /// BATCH_MATMUL on int8 (operands `x`, `y` in TFLite order, adjoints applied):
    /// MatMulInteger with both zero points, then × s_x·s_y/s_y' in Q31 fixed point, + z, clamped.
    static func batchMatMul(_ op: TFLiteOperator, _ ctx: TranslationContext, x: String, y: String) throws {
        let (a, b, out) = (try ctx.input(op, 0, "x"), try ctx.input(op, 1, "y"), try ctx.output(op))
        let qa = try eightBit(a, ctx), qb = try eightBit(b, ctx), qy = try eightBit(out, ctx)
        let product = ctx.emit("MatMulInteger", [
            x, y, try ctx.scalar(qa.zeroPoint, qa.dtype, hint: "zero_point"),
            try ctx.scalar(qb.zeroPoint, qb.dtype, hint: "zero_point"),
        ], hint: ctx.tensor(out).name)
        let real = Double(qa.scale) * Double(qb.scale) / Double(qy.scale)
        let requantized = try ctx.requantize(product, by: [real], zeroPoint: qy.zeroPoint, clamp: qy.range,
                                             dtype: qy.dtype)
        ctx.produceInTFLiteOrder(out) { ctx.emit("Identity", [requantized], output: $0, hint: requantized) }
    }

    /// Operand `index` of a two-input integer operator on the common scale of TFLite's add.cc and
    /// squared_difference.cc: (q − z)·2^leftShift rescaled by s / twiceMax, as int32.
    static func commonScaleOperand(_ index: Int, _ q: TensorQuantization, leftShift: Int32, twiceMax: Double,
                                   outputRank: Int, _ ctx: TranslationContext) throws -> String {
        let value = ctx.widened(try ctx.broadcastOperand(index, outputRank: outputRank), q, leftShift: leftShift)
        return try ctx.requantize(value, by: [Double(q.scale) / twiceMax], clamp: Int32.min...Int32.max,
                                  dtype: .int32)
    }

    /// ADD / SUB on int8 (TFLite's add.cc/sub.cc): each operand (q − z)·2^20 rescaled by
    /// s_i / (2·max s), summed, then rescaled by 2·max s / (2^20·s_y).
    private static func addOrSub(subtract: Bool) -> OperatorTranslator {
        return { op, ctx in
            let (a, b, out) = (try ctx.input(op, 0, "first"), try ctx.input(op, 1, "second"), try ctx.output(op))
            let qa = try eightBit(a, ctx), qb = try eightBit(b, ctx), qy = try eightBit(out, ctx)
            let twiceMax = Double(2 * Swift.max(qa.scale, qb.scale))
            func scaled(_ index: Int, _ q: TensorQuantization) throws -> String {
                try commonScaleOperand(index, q, leftShift: 20, twiceMax: twiceMax, outputRank: ctx.rank(out), ctx)
            }
            let sum = ctx.emit(subtract ? "Sub" : "Add", [try scaled(a, qa), try scaled(b, qb)],
                               hint: ctx.tensor(out).name)
            let real = twiceMax / Double(Float(1 << 20) * qy.scale)
            try ctx.requantize(sum, by: [real], zeroPoint: qy.zeroPoint,
                               clamp: try ctx.activationRange(try Options(op).byte(0), qy), dtype: qy.dtype,
                               output: ctx.outputName(out))
        }
    }

    /// ABS on int8 (elementwise.cc AbsEvalQuantized): |q − z_x| rescaled by s_x/s_y, + z_y, saturated.
    private static func abs(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
        let magnitude = ctx.emit("Abs", [ctx.widened(try ctx.value(x), qx)], hint: ctx.tensor(out).name)
        try ctx.requantize(magnitude, by: [Double(qx.scale) / Double(qy.scale)], zeroPoint: qy.zeroPoint,
                           clamp: qy.range, dtype: qy.dtype, output: ctx.outputName(out))
    }

    /// MUL on int8: (qa − za)·(qb − zb) rescaled by s_a·s_b/s_y.
    private static func mul(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let (a, b, out) = (try ctx.input(op, 0, "first"), try ctx.input(op, 1, "second"), try ctx.output(op))
        let qa = try eightBit(a, ctx), qb = try eightBit(b, ctx), qy = try eightBit(out, ctx)
        let rank = ctx.rank(out)
        let product = ctx.emit("Mul", [ctx.widened(try ctx.broadcastOperand(a, outputRank: rank), qa),
                                       ctx.widened(try ctx.broadcastOperand(b, outputRank: rank), qb)],
                               hint: ctx.tensor(out).name)
        try ctx.requantize(product, by: [Double(qa.scale) * Double(qb.scale) / Double(qy.scale)],
                           zeroPoint: qy.zeroPoint, clamp: try ctx.activationRange(try Options(op).byte(0), qy),
                           dtype: qy.dtype, output: ctx.outputName(out))
    }

    /// RELU, RELU6, RELU_N1_TO_1 on int8 (activations.cc QuantizedReluX): (q − z_x) rescaled by
    /// s_x/s_y (a float division) into the output, clamped to the activation's bounds.
    private static func reluX(_ low: Float, _ high: Float?) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
            let qx = try eightBit(x, ctx), qy = try eightBit(out, ctx)
            let lower = Swift.max(qy.range.lowerBound, qy.quantized(low))
            let upper = high.map { Swift.min(qy.range.upperBound, qy.quantized($0)) } ?? qy.range.upperBound
            try ctx.requantize(ctx.widened(try ctx.value(x), qx), by: [Double(qx.scale / qy.scale)],
                               zeroPoint: qy.zeroPoint, clamp: lower...Swift.max(lower, upper), dtype: qy.dtype,
                               output: ctx.outputName(out))
        }
    }

    /// QUANTIZE of a float value (QuantTranslators), or of an int8 value to new parameters
    /// (TFLite's Requantize: (q − z_x) rescaled by s_x/s_y, saturated to the output type).
    private static func quantize(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        guard ctx.isQuantizedInteger(x) else { return try QuantTranslators.quantize(op, ctx) }
        let qx = try ctx.quantization(x), qy = try ctx.quantization(out)
        guard qx.dtype != .int16, qy.dtype != .int16 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): requantizing int16 tensors is not supported")
        }
        try ctx.requantize(ctx.widened(try ctx.value(x), qx), by: [Double(qx.scale) / Double(qy.scale)],
                           zeroPoint: qy.zeroPoint, clamp: qy.range, dtype: qy.dtype, output: ctx.outputName(out))
    }
}
