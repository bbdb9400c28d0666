// TFLite's complex64 tensors, made by RFFT2D (the spectrogram front end of audio models such as
// BirdNET). The graph holds a complex tensor as float32 with a trailing [2] (real, imaginary), the
// form ONNX's DFT uses, always in TFLite's own axis order (never as an NCHW transpose). Operators
// that read complex tensors have translators of their own here: the reshapes, CAST to float
// (TFLite keeps the real part), REAL, IMAG and COMPLEX_ABS.

import EFCore
import EFONNX

enum ComplexTranslators {
    /// Operators on float tensors whose output is complex.
    static let table: [Int32: OperatorTranslator] = [BuiltinOperator.rfft2D: rfft2D]

    /// Operators reading complex tensors, by code.
    static let reading: [Int32: OperatorTranslator] = [
        BuiltinOperator.reshape: reshape, BuiltinOperator.squeeze: reshape, BuiltinOperator.expandDims: reshape,
        BuiltinOperator.cast: part(0), BuiltinOperator.real: part(0), BuiltinOperator.imag: part(1),
        BuiltinOperator.complexAbs: magnitude,
    ]

    /// RFFT2D(input float32 [..., H, W], fft_length int32 [2] constant): complex64
    /// [..., fh, fw/2 + 1]. Rows and columns are cropped or zero-padded to fft_length, as
    /// TFLite's kernel does; a one-sided DFT along the last axis, then a full one along rows.
    private static func rfft2D(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let input = try ctx.input(op, 0, "input"), out = try ctx.output(op)
        let lengths = try ctx.constantInput(op, 1, "fft_length").intValues("RFFT2D fft_length")
        let rank = ctx.rank(input)
        guard rank >= 2, lengths.count == 2, lengths.allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): needs an input of rank 2 or more and two "
                + "positive fft lengths, has rank \(rank) and \(lengths)")
        }
        guard ctx.tensor(input).typeCode == 0, ctx.isComplex(out) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): Edgeflow reads float32 → complex64 RFFT2D")
        }
        let x = try ctx.valueInTFLiteOrder(input)
        let real = ctx.emit("Unsqueeze", [x, ctx.int64s([rank], hint: "axes")], hint: x)
        let rowLength = ctx.int64s([lengths[0]], hint: "fft_rows")
        let columnLength = ctx.int64s([lengths[1]], hint: "fft_columns")
        let rowsDone = lengths[0] == 1 && ctx.shape(input)[rank - 2] == 1
        let columns = ctx.emit("DFT", [real, columnLength], ["axis": .int(rank - 1), "onesided": .int(1)],
                               output: rowsDone ? ctx.outputName(out) : nil, hint: x)
        if !rowsDone {
            ctx.emit("DFT", [columns, rowLength], ["axis": .int(rank - 2)], output: ctx.outputName(out), hint: x)
        }
    }

    /// RESHAPE, SQUEEZE and EXPAND_DIMS of a complex tensor: to the output's shape and [2].
    private static func reshape(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.value(try ctx.input(op, 0, "input")), out = try ctx.output(op)
        guard ctx.isComplex(out) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): reshaping complex64 into another type")
        }
        let shape = ctx.int64s(try ctx.reshapedShape(op) + [2], hint: "shape")
        ctx.emit("Reshape", [x, shape], output: ctx.outputName(out), hint: x)
    }

    /// CAST to float32 and REAL (part 0), IMAG (part 1).
    private static func part(_ index: Int) -> OperatorTranslator {
        return { op, ctx in
            let x = try ctx.value(try ctx.input(op, 0, "input")), out = try ctx.output(op)
            try float32Result(out, ctx)
            let position = ctx.addInitializer(Tensor(shape: [], scalars: [Int64(index)]), hint: "part")
            ctx.produceInTFLiteOrder(out) { ctx.emit("Gather", [x, position], ["axis": .int(-1)], output: $0, hint: x) }
        }
    }

    /// COMPLEX_ABS: √(re² + im²).
    private static func magnitude(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.value(try ctx.input(op, 0, "input")), out = try ctx.output(op)
        try float32Result(out, ctx)
        ctx.produceInTFLiteOrder(out) {
            ctx.emit("ReduceL2", [x], ["axes": .ints([-1]), "keepdims": .int(0)], output: $0, hint: x)
        }
    }

    private static func float32Result(_ out: Int, _ ctx: TranslationContext) throws {
        guard ctx.tensor(out).typeCode == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): Edgeflow turns complex64 into float32 only, "
                + "not \(TensorData.typeName(ctx.tensor(out).typeCode))")
        }
    }
}

extension TranslationContext {
    /// Whether tensor `index` is complex64 (held as float32 with a trailing [2]).
    func isComplex(_ index: Int) -> Bool { index >= 0 && tensor(index).typeCode == 8 }

    /// Whether `op` reads a complex tensor (and so is translated by ComplexTranslators.reading).
    func readsComplex(_ op: TFLiteOperator) -> Bool { op.inputs.contains { isComplex($0) } }
}
