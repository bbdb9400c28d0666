// The table of TFLite operator translators (one table per op group, custom ops by name) and
// what they share:
// the builtin options table with its defaults, and fused activations.

import EFCore
import EFONNX

/// Translates one TFLite operator into ONNX nodes producing its outputs.
typealias OperatorTranslator = (TFLiteOperator, TranslationContext) throws -> Void

enum OperatorTranslators {
    /// Every supported builtin operator, by code.
    static let table: [Int32: OperatorTranslator] = {
        var table: [Int32: OperatorTranslator] = [:]
        for group in [ConvTranslators.table, ElementwiseTranslators.table, ShapeTranslators.table,
                      SliceTranslators.table, LinearTranslators.table, QuantTranslators.table,
                      MathTranslators.table, ReshapingTranslators.table, ReduceTranslators.table,
                      LogicTranslators.table, SpatialTranslators.table, FillTranslators.table,
                      ComplexTranslators.table, VariableTranslators.table, RecurrentTranslators.table,
                      IndexingTranslators.table, Conv3DTranslator.table, BidirectionalLSTMTranslator.table,
                      ControlFlowTranslators.table] {
            table.merge(group) { _, _ in preconditionFailure("a TFLite operator is registered twice") }
        }
        return table
    }()

    /// The translator of operator code `code`: a builtin's (its integer form when `integer`, its
    /// form reading complex64 tensors when `complex`) or a known custom op's (float only); nil
    /// when Edgeflow has none.
    static func translator(for code: TFLiteOperatorCode, integer: Bool,
                           complex: Bool = false) -> OperatorTranslator? {
        if code.builtinCode == BuiltinOperator.custom {
            return integer || complex ? nil : code.customCode.flatMap { CustomOpTranslators.table[$0] }
        }
        if complex { return ComplexTranslators.reading[code.builtinCode] }
        return (integer ? IntegerTranslators.table : table)[code.builtinCode]
    }
}

/// A builtin options table, or defaults when the operator has none.
struct Options {
    let table: FlatTable?

    init(_ op: TFLiteOperator) { table = op.options }

    func int(_ id: Int, _ value: Int32 = 0) throws -> Int { Int(try table?.int32(id, default: value) ?? value) }
    func byte(_ id: Int) throws -> Int8 { try table?.int8(id) ?? 0 }
    func bool(_ id: Int) throws -> Bool { try table?.bool(id) ?? false }
    func float(_ id: Int, _ value: Float) throws -> Float { try table?.float32(id, default: value) ?? value }
}

extension TranslationContext {
    /// Output 0 of `op`, checked present.
    func output(_ op: TFLiteOperator) throws -> Int {
        guard let index = op.outputs.first, index >= 0 else {
            throw EdgeflowError(.invalidModel, "\(opDescription) has no output")
        }
        return index
    }

    /// Emits `opType` computing output 0 of `op`, followed by the fused activation `code`
    /// (ActivationFunctionType: 0 none, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6; 4 TANH and 5 SIGN_BIT
    /// unapplied, as by LiteRT); on a quantized
    /// integer output, a clamp to the activation's quantized bounds.
    func emitFused(_ opType: String, _ inputs: [String], _ attributes: [String: OnnxAttribute] = [:],
                   op: TFLiteOperator, activation code: Int8) throws {
        let out = try output(op)
        let target = outputName(out)
        if code != 0, computesInIntegers(op) {
            // On integers the activation is a clamp to its quantized bounds.
            let q = try quantization(out), range = try activationRange(code, q)
            let raw = emit(opType, inputs, attributes, hint: target)
            emit("Clip", [raw, try scalar(range.lowerBound, q.dtype, hint: "clip"),
                          try scalar(range.upperBound, q.dtype, hint: "clip")], output: target, hint: raw)
        } else if code == 0 || code == 4 || code == 5 {
            emit(opType, inputs, attributes, output: target, hint: target)
        } else {
            let raw = emit(opType, inputs, attributes, hint: target)
            try activation(code, raw, output: target)
        }
    }

    /// Emits the activation `code` of `value` into `output` (a fresh name when nil). A fused TANH
    /// or SIGN_BIT changes nothing: LiteRT's kernels clamp their results only for the ReLU
    /// family (CalculateActivationRange) and leave every other code unapplied.
    @discardableResult
    func activation(_ code: Int8, _ value: String, output: String? = nil) throws -> String {
        switch code {
        case 0, 4, 5: return output.map { emit("Identity", [value], output: $0, hint: value) } ?? value
        case 1: return emit("Relu", [value], output: output, hint: value)
        case 2: return clip(value, -1, 1, output: output)
        case 3: return clip(value, 0, 6, output: output)
        default:
            throw EdgeflowError(.unsupported, "\(opDescription): fused activation \(code) is not supported "
                + "(Edgeflow reads NONE, RELU, RELU_N1_TO_1, RELU6, and TANH and SIGN_BIT, which LiteRT leaves "
                + "unapplied)")
        }
    }

    @discardableResult
    func clip(_ value: String, _ low: Float, _ high: Float, output: String? = nil) -> String {
        emit("Clip", [value, float32(low, hint: "clip_min"), float32(high, hint: "clip_max")], output: output,
             hint: value)
    }
}
