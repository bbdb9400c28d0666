// The parts of TFLite's schema (tensorflow/lite/schema/schema.fbs) Edgeflow reads, as plain
// Swift values. `TFLiteModel.init(buffer:)` fills them from a checked `FlatBuffer`; tensor
// data stays in the file (byte ranges) until an importer copies the tensors it needs.

import EFCore

/// A TFLite model: operator codes, subgraphs (the first is the main graph) and buffers.
public struct TFLiteModel {
    /// The schema version (3 for every current model).
    public var version: UInt32
    public var description: String
    public var operatorCodes: [TFLiteOperatorCode]
    public var subgraphs: [TFLiteSubgraph]
    public var buffers: [TFLiteBuffer]
    /// The file the ranges of `buffers` point into.
    public let file: FlatBuffer
}

/// OperatorCode: a builtin operator or a custom one.
public struct TFLiteOperatorCode: Sendable {
    /// The builtin operator (the larger of `deprecated_builtin_code` and `builtin_code`, as
    /// TFLite reads it: old files fill only the first, codes above 127 only the second).
    public var builtinCode: Int32
    /// The custom op's name when `builtinCode` is CUSTOM (32).
    public var customCode: String?
    public var version: Int32

    /// The name for messages: the builtin's name (`CONV_2D`) or the custom op's.
    public var displayName: String {
        if builtinCode == BuiltinOperator.custom, let customCode { return "custom op '\(customCode)'" }
        return BuiltinOperator.name(builtinCode)
    }
}

/// SubGraph: tensors, operators (in execution order) and the graph's inputs and outputs.
public struct TFLiteSubgraph {
    public var name: String
    public var tensors: [TFLiteTensor]
    /// Tensor indices.
    public var inputs: [Int]
    public var outputs: [Int]
    public var operators: [TFLiteOperator]
}

/// Tensor: shape, element type, buffer index and quantization.
public struct TFLiteTensor: Sendable {
    public var name: String
    /// Static dimensions (TFLite writes -1 only in `shape_signature`).
    public var shape: [Int]
    /// The TensorType code (0 FLOAT32, 1 FLOAT16, 2 INT32, 3 UINT8, 9 INT8, …).
    public var typeCode: Int8
    /// Index into the model's buffers; buffer 0 is the empty sentinel.
    public var buffer: Int
    public var quantization: TFLiteQuantization?
    public var isVariable: Bool
    /// How a sparse constant's buffer is laid out (its buffer then holds only the stored
    /// values); nil for dense tensors.
    public var sparsity: TFLiteSparsity?
    /// The shape with −1 where the converter did not know a dimension (`shape` then holds a
    /// placeholder there); nil when the file has none.
    public var shapeSignature: [Int]?
}

/// QuantizationParameters (affine): real = scale × (q − zero point), per tensor or along
/// `quantizedDimension`.
public struct TFLiteQuantization: Sendable {
    public var scale: [Float]
    public var zeroPoint: [Int64]
    public var quantizedDimension: Int

    /// True when the parameters quantize anything (TFLite writes empty tables for float tensors).
    public var isPresent: Bool { !scale.isEmpty }
}

/// Buffer: the bytes of a constant tensor, inside the flatbuffer (`data`) or, in models larger
/// than 2 GB, at `offset`/`size` of the file.
public struct TFLiteBuffer: Sendable {
    /// The byte range in the file, nil for an empty buffer (a tensor computed at run time).
    public var range: Range<Int>?
}

/// Operator: which operator code, input and output tensor indices (-1 for an omitted optional
/// input) and its builtin options table.
public struct TFLiteOperator {
    public var opcodeIndex: Int
    public var inputs: [Int]
    public var outputs: [Int]
    /// The BuiltinOptions union type (0 when none).
    public var optionsType: UInt8
    public var options: FlatTable?
    /// A custom operator's options: bytes whose layout the custom op defines (empty when none).
    public var customOptions: [UInt8]
}
