// TFLite's BIDIRECTIONAL_SEQUENCE_LSTM as one bidirectional ONNX LSTM (EFONNX unrolls both
// directions): the forward weights at inputs 1–17, the backward ones at 18–34, the four states at
// 35–38 (starting at zeros), the auxiliary input refused. Merged outputs are [B, T, 2H] (forward
// then backward per step); otherwise two outputs [B, T, H] (or time-major [T, B, ...]). Each
// sequence of a batch is its own LSTM, as LiteRT's time-major kernel computes it (LiteRT 2.3.0's
// batch-major kernel gives the sequences after the first other values; docs/tflite.md).

import EFCore
import EFONNX
import Foundation

enum BidirectionalLSTMTranslator {
    static let table: [Int32: OperatorTranslator] = [BuiltinOperator.bidirectionalSequenceLSTM: translate]

    /// Options: activation (0), cell_clip (1), proj_clip (2), merge_outputs (3), time_major (4,
    /// default true).
    private static func translate(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let absent = { (position: Int) in position >= op.inputs.count || op.inputs[position] < 0 }
        if absent(1) || absent(5) || absent(18) || absent(22) {
            throw RecurrentTranslators.refusal(ctx, "coupled input and forget gates (CIFG)")
        }
        if !(Array(9...11) + Array(26...28)).allSatisfy(absent) {
            throw RecurrentTranslators.refusal(ctx, "peephole connections")
        }
        if ![16, 17, 33, 34].allSatisfy(absent) { throw RecurrentTranslators.refusal(ctx, "a projection layer") }
        if !(39...47).allSatisfy(absent) { throw RecurrentTranslators.refusal(ctx, "an auxiliary input") }
        guard try options.byte(0) == 4 else { throw RecurrentTranslators.refusal(ctx, "an activation other than TANH") }
        guard try options.float(1, 0) == 0, try options.float(2, 0) == 0 else {
            throw RecurrentTranslators.refusal(ctx, "clipping")
        }
        let merged = try options.bool(3), timeMajor = try options.table?.bool(4, default: true) ?? true
        let input = ctx.shape(try ctx.input(op, 0, "input")), hidden = ctx.shape(try ctx.input(op, 1, "weights"))[0]
        guard input.count == 3, hidden > 0, op.outputs.count == (merged ? 1 : 2) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): input \(input) with \(op.outputs.count) outputs "
                + "(Edgeflow reads rank 3, one merged output or two)")
        }
        let shape = RecurrentTranslators.SequenceShape(timeMajor: timeMajor, batch: input[timeMajor ? 1 : 0],
                                                       features: input[2], hidden: hidden)
        let forward = try RecurrentTranslators.lstmDirection(op, ctx, first: 1, shape)
        let backward = try RecurrentTranslators.lstmDirection(op, ctx, first: 18, shape)
        let inputs = [
            try ctx.value(try ctx.input(op, 0, "input")),
            ctx.addInitializer(RecurrentTranslators.stacked([forward.w, backward.w], [2, 4 * hidden, shape.features]),
                               hint: "lstm_w"),
            ctx.addInitializer(RecurrentTranslators.stacked([forward.r, backward.r], [2, 4 * hidden, hidden]),
                               hint: "lstm_r"),
            ctx.addInitializer(RecurrentTranslators.stacked([forward.b, backward.b], [2, 8 * hidden]), hint: "lstm_b"),
            "", try RecurrentTranslators.state(op, ctx, [35, 37], shape),
            try RecurrentTranslators.state(op, ctx, [36, 38], shape),
        ]
        let attributes: [String: OnnxAttribute] = [
            "hidden_size": .int(hidden), "layout": .int(timeMajor ? 0 : 1),
            "direction": .string(Data("bidirectional".utf8)), "activations": .strings(
                RecurrentTranslators.lstmActivations + RecurrentTranslators.lstmActivations),
        ]
        let sequence = ctx.fresh("\(ctx.tensor(op.outputs[0]).name)/sequence")
        ctx.emit("LSTM", inputs, attributes, outputs: [sequence])
        // Y is [B, T, 2, H] (layout 1) or [T, 2, B, H] (layout 0).
        let steps = [input[0], input[1]]
        if merged {
            let ordered = timeMajor
                ? ctx.emit("Transpose", [sequence], ["perm": .ints([0, 2, 1, 3])], hint: sequence) : sequence
            ctx.emit("Reshape", [ordered, ctx.int64s(steps + [2 * hidden], hint: "shape")],
                     output: ctx.outputName(op.outputs[0]), hint: sequence)
            return
        }
        let axis = timeMajor ? 1 : 2
        for (direction, out) in op.outputs.enumerated() {
            let part = ctx.emit("Slice", [sequence, ctx.int64s([direction], hint: "start"),
                                          ctx.int64s([direction + 1], hint: "end"), ctx.int64s([axis], hint: "axis")],
                                hint: sequence)
            ctx.emit("Squeeze", [part, ctx.int64s([axis], hint: "axis")], output: ctx.outputName(out), hint: part)
        }
    }
}
