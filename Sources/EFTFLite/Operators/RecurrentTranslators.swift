// TFLite's fused recurrent layers (what Keras LSTM and SimpleRNN convert to) as ONNX LSTM and
// RNN nodes, which EFONNX unrolls over the static sequence: UNIDIRECTIONAL_SEQUENCE_LSTM with its
// four gates' separate weights stacked in ONNX's i, o, f, c order, and UNIDIRECTIONAL_SEQUENCE_RNN.
// The state inputs are TFLite variable tensors: a run starts them at zeros, as LiteRT's first
// invocation does. Peepholes, projection, layer
// normalization, coupled input-forget gates (CIFG), cell clipping and integer forms are refused.

import EFCore
import EFONNX
import Foundation

enum RecurrentTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.unidirectionalSequenceLSTM: lstm, BuiltinOperator.unidirectionalSequenceRNN: rnn,
    ]

    /// UNIDIRECTIONAL_SEQUENCE_LSTM(input, 4 input weights [H, I], 4 recurrent weights [H, H],
    /// peepholes, 4 biases [H], projection, output_state [B, H], cell_state [B, H], layer norms);
    /// options: activation (0), cell_clip (1), proj_clip (2), time_major (3).
    private static func lstm(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let absent = { (position: Int) in position >= op.inputs.count || op.inputs[position] < 0 }
        if absent(1) || absent(5) { throw refusal(ctx, "coupled input and forget gates (CIFG)") }
        if !(9...11).allSatisfy(absent) { throw refusal(ctx, "peephole connections") }
        if !absent(16) || !absent(17) { throw refusal(ctx, "a projection layer") }
        if !(20...23).allSatisfy(absent) { throw refusal(ctx, "layer normalization") }
        guard try options.byte(0) == 4 else { throw refusal(ctx, "an activation other than TANH") }
        guard try options.float(1, 0) == 0, try options.float(2, 0) == 0 else { throw refusal(ctx, "clipping") }
        let shape = try sequenceShape(op, ctx, timeMajor: try options.bool(3))
        let direction = try lstmDirection(op, ctx, first: 1, shape)
        let inputs = [
            try ctx.value(try ctx.input(op, 0, "input")),
            ctx.addInitializer(stacked([direction.w], [1, 4 * shape.hidden, shape.features]), hint: "lstm_w"),
            ctx.addInitializer(stacked([direction.r], [1, 4 * shape.hidden, shape.hidden]), hint: "lstm_r"),
            ctx.addInitializer(stacked([direction.b], [1, 8 * shape.hidden]), hint: "lstm_b"),
            "", try state(op, ctx, [18], shape), try state(op, ctx, [19], shape),
        ]
        try emit("LSTM", inputs, ["activations": .strings(lstmActivations)], op, ctx, shape)
    }

    /// ONNX LSTM's activations for TFLite's TANH cell.
    static let lstmActivations = ["Sigmoid", "Tanh", "Tanh"].map { Data($0.utf8) }

    /// One direction's W [4H, I], R [4H, H] and B [8H] in ONNX's gate order i, o, f, c, from the
    /// four input weights at `first`, the recurrent ones at first + 4 and the biases at first + 11
    /// (TFLite's order i, f, c, o).
    static func lstmDirection(_ op: TFLiteOperator, _ ctx: TranslationContext, first: Int,
                              _ shape: SequenceShape) throws -> (w: Tensor, r: Tensor, b: Tensor) {
        let order = [0, 3, 1, 2], hidden = shape.hidden
        let inputWeights = try order.map { try weight(op, ctx, first + $0, [hidden, shape.features]) }
        let recurrentWeights = try order.map { try weight(op, ctx, first + 4 + $0, [hidden, hidden]) }
        let biases = try order.map { try weight(op, ctx, first + 11 + $0, [hidden]) }
        let zeros = Array(repeating: Tensor(zeros: .float32, shape: [hidden]), count: 4)
        return (stacked(inputWeights, [4 * hidden, shape.features]), stacked(recurrentWeights, [4 * hidden, hidden]),
                stacked(biases + zeros, [8 * hidden]))
    }

    /// UNIDIRECTIONAL_SEQUENCE_RNN(input, weights [H, I], recurrent weights [H, H], bias [H],
    /// hidden_state [B, H]); options: time_major (0), activation (1).
    private static func rnn(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let activations: [Int8: String] = [1: "Relu", 4: "Tanh", 6: "Sigmoid"]
        guard let activation = activations[try options.byte(1)] else {
            throw refusal(ctx, "an activation other than RELU, TANH or SIGMOID")
        }
        let shape = try sequenceShape(op, ctx, timeMajor: try options.bool(0))
        let bias = try weight(op, ctx, 3, [shape.hidden])
        let inputs = [
            try ctx.value(try ctx.input(op, 0, "input")),
            ctx.addInitializer(try weight(op, ctx, 1, [shape.hidden, shape.features]).reshaped(
                [1, shape.hidden, shape.features]), hint: "rnn_w"),
            ctx.addInitializer(try weight(op, ctx, 2, [shape.hidden, shape.hidden]).reshaped(
                [1, shape.hidden, shape.hidden]), hint: "rnn_r"),
            ctx.addInitializer(stacked([bias, Tensor(zeros: .float32, shape: [shape.hidden])], [1, 2 * shape.hidden]),
                               hint: "rnn_b"),
            "", try state(op, ctx, [4], shape),
        ]
        try emit("RNN", inputs, ["activations": .strings([Data(activation.utf8)])], op, ctx, shape)
    }

    struct SequenceShape {
        var timeMajor: Bool, batch: Int, features: Int, hidden: Int
    }

    /// The input's [B, T, I] (or [T, B, I]) and the output's hidden size.
    static func sequenceShape(_ op: TFLiteOperator, _ ctx: TranslationContext,
                                      timeMajor: Bool) throws -> SequenceShape {
        let input = ctx.shape(try ctx.input(op, 0, "input")), output = ctx.shape(try ctx.output(op))
        guard ctx.tensor(try ctx.input(op, 0, "input")).typeCode == 0, input.count == 3, output.count == 3,
              output[0] == input[0], output[1] == input[1], output[2] > 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): Edgeflow reads a float32 input of rank 3 and an "
                + "output of the same steps, has \(input) → \(output)")
        }
        return SequenceShape(timeMajor: timeMajor, batch: input[timeMajor ? 1 : 0], features: input[2],
                             hidden: output[2])
    }

    /// Constant float32 input `position` of shape `shape`.
    static func weight(_ op: TFLiteOperator, _ ctx: TranslationContext, _ position: Int,
                               _ shape: [Int]) throws -> Tensor {
        let value = try ctx.constantInput(op, position, "weight \(position)")
        guard value.dtype == .float32, value.shape == shape else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): input \(position) is \(value.dtype.rawValue)"
                + "\(value.shape); Edgeflow reads float32 \(shape)")
        }
        return value
    }

    /// The initial state [D, B, H] of the state inputs at `positions` (one per direction): zeros,
    /// as LiteRT starts a variable tensor (it refuses variable tensors with a stored value, and so
    /// does Edgeflow).
    static func state(_ op: TFLiteOperator, _ ctx: TranslationContext, _ positions: [Int],
                      _ shape: SequenceShape) throws -> String {
        for position in positions where position < op.inputs.count && op.inputs[position] >= 0
            && ctx.constant(op.inputs[position]) != nil {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): state input \(position) has a stored value; "
                + "TFLite's state tensors start at zeros (LiteRT refuses such a model too)")
        }
        let zeros = try FillTranslators.zeros(.float32, [positions.count, shape.batch, shape.hidden], ctx)
        return ctx.addInitializer(zeros, hint: "state")
    }

    /// Emits the ONNX node and squeezes Y's direction axis into the output [B, T, H] (or [T, B, H]).
    private static func emit(_ opType: String, _ inputs: [String], _ attributes: [String: OnnxAttribute],
                             _ op: TFLiteOperator, _ ctx: TranslationContext, _ shape: SequenceShape) throws {
        let out = try ctx.output(op)
        var all = attributes
        all["hidden_size"] = .int(shape.hidden)
        all["layout"] = .int(shape.timeMajor ? 0 : 1)
        let sequence = ctx.fresh("\(ctx.tensor(out).name)/sequence")
        ctx.emit(opType, inputs, all, outputs: [sequence])
        let direction = ctx.int64s([shape.timeMajor ? 1 : 2], hint: "direction_axis")
        ctx.emit("Squeeze", [sequence, direction], output: ctx.outputName(out), hint: sequence)
    }

    /// `parts` concatenated along their first axis, reshaped to `shape`.
    static func stacked(_ parts: [Tensor], _ shape: [Int]) -> Tensor {
        let values = parts.flatMap { $0.scalars(as: Float.self) }
        return Tensor(shape: shape, scalars: values)
    }

    static func refusal(_ ctx: TranslationContext, _ what: String) -> EdgeflowError {
        EdgeflowError(.unsupported, "\(ctx.opDescription): \(what) is not supported; Edgeflow reads the standard "
            + "form (all four gates, TANH, float32, no peepholes, projection, layer norm or clipping)")
    }
}
