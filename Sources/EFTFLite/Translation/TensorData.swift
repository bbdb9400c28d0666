// Constant TFLite tensors as EFCore tensors: the element type mapped from TensorType, the
// buffer's byte count checked against the declared shape before anything is allocated, and
// float16 weights and dequantized int8/uint8 weights widened to float32 the way TFLite's
// DEQUANTIZE kernel computes them (scale × (q − zero point), in float).

import EFCore

enum TensorData {
    /// The DType of a TensorType code, nil for types Edgeflow does not read.
    static func dtype(_ code: Int8) -> DType? {
        switch code {
        case 0: return .float32
        case 1: return .float16
        case 2: return .int32
        case 3: return .uint8
        case 4: return .int64
        case 6: return .bool
        case 7: return .int16
        case 9: return .int8
        case 10: return .float64
        case 12: return .uint64
        case 15: return .uint32
        case 16: return .uint16
        default: return nil
        }
    }

    /// The TensorType's name for messages.
    static func typeName(_ code: Int8) -> String {
        let names = ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8",
                     "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16"]
        return code >= 0 && Int(code) < names.count ? names[Int(code)] : "TensorType \(code)"
    }

    /// The constant value of `tensor` (made dense when it is sparse), nil when its buffer is
    /// empty (computed at run time).
    /// - Throws: `.unsupported` for element types Edgeflow does not read; `.invalidModel`
    ///   when the buffer's size does not match the shape.
    static func constant(_ tensor: TFLiteTensor, in model: TFLiteModel) throws -> Tensor? {
        guard tensor.buffer > 0, tensor.buffer < model.buffers.count,
              let range = model.buffers[tensor.buffer].range else { return nil }
        guard let dtype = dtype(tensor.typeCode) else {
            throw EdgeflowError(.unsupported, "constant tensor '\(tensor.name)' has type \(typeName(tensor.typeCode)), "
                + "which Edgeflow does not read")
        }
        let bytes = try CheckedSize.byteCount(tensor.shape, dtype, "constant tensor '\(tensor.name)'",
                                              kind: .invalidModel)
        if let sparsity = tensor.sparsity {
            let dense = try SparseTensors.densify(model.file.bytes[range], elementSize: dtype.byteSize,
                                                  shape: tensor.shape, sparsity: sparsity, name: tensor.name)
            return dense.withUnsafeBytes { Tensor(dtype: dtype, shape: tensor.shape, bytes: $0) }
        }
        guard bytes == range.count else {
            throw EdgeflowError(.invalidModel, "constant tensor '\(tensor.name)' of shape \(tensor.shape) "
                + "(\(dtype.rawValue)) needs \(bytes) bytes; its buffer holds \(range.count)")
        }
        return model.file.bytes[range].withUnsafeBytes { Tensor(dtype: dtype, shape: tensor.shape, bytes: $0) }
    }

    /// A float16 tensor widened to float32 (exact).
    static func widened(_ tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, scalars: tensor.scalars(as: Float16.self).map(Float.init))
    }

    /// An int8/uint8/int32 tensor dequantized with per-tensor or per-axis parameters.
    /// - Throws: `.invalidModel` when the parameters do not fit the tensor.
    static func dequantized(_ tensor: Tensor, _ quantization: TFLiteQuantization, name: String) throws -> Tensor {
        let (scales, zeroPoints, axis) = try parameters(quantization, shape: tensor.shape, name: name)
        let values = tensor.doubleValues()
        let inner = tensor.shape.dropFirst(axis + 1).reduce(1, *)
        let channels = scales.count
        var result = [Float](repeating: 0, count: values.count)
        for index in values.indices {
            let channel = channels == 1 ? 0 : (index / inner) % channels
            result[index] = Float(values[index] - Double(zeroPoints[channel])) * scales[channel]
        }
        return Tensor(shape: tensor.shape, scalars: result)
    }

    /// Scales, zero points (one per channel or one for the tensor) and the quantized axis.
    static func parameters(_ q: TFLiteQuantization, shape: [Int], name: String) throws
        -> (scales: [Float], zeroPoints: [Int64], axis: Int) {
        let zeroPoints = q.zeroPoint.isEmpty ? [Int64](repeating: 0, count: q.scale.count) : q.zeroPoint
        guard !q.scale.isEmpty, zeroPoints.count == q.scale.count else {
            throw EdgeflowError(.invalidModel, "tensor '\(name)': \(q.scale.count) scales and \(q.zeroPoint.count) "
                + "zero points")
        }
        if q.scale.count == 1 { return (q.scale, zeroPoints, 0) }
        guard q.quantizedDimension >= 0, q.quantizedDimension < shape.count,
              shape[q.quantizedDimension] == q.scale.count else {
            throw EdgeflowError(.invalidModel, "tensor '\(name)' of shape \(shape): \(q.scale.count) scales do not "
                + "match quantized dimension \(q.quantizedDimension)")
        }
        return (q.scale, zeroPoints, q.quantizedDimension)
    }
}
