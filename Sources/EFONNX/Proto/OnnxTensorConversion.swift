// TensorProto → EFCore Tensor: raw little-endian data, the typed repeated fields, or external
// data. The declared size is checked against the bytes present before anything is allocated.

import EFCore
import Foundation

extension OnnxTensor {
    /// Name for messages: "tensor 'w'" or "unnamed tensor".
    var displayName: String { name.isEmpty ? "unnamed tensor" : "tensor '\(name)'" }

    /// True when the data lives in a file beside the model.
    public var hasExternalData: Bool { dataLocation == 1 || !externalData.isEmpty }

    /// Converts to an Edgeflow tensor of shape `dims`.
    ///
    /// Data comes from `raw_data` (little-endian), the typed field for the type (`float_data`,
    /// `double_data`, `int64_data`, `uint64_data` for uint32/uint64, `int32_data` for the 8/16-bit
    /// types, bool, float16, bfloat16 and float8, one packed byte per entry for the sub-byte types),
    /// or external data. Sub-byte types are unpacked to one element per byte (DType's doc).
    /// - Parameter baseDirectory: the directory of the model file; external data locations are
    ///   relative to it. nil when the model was not read from a file.
    /// - Throws: `EdgeflowError.invalidModel` when the declared shape does not match the data
    ///   present (checked before allocating), for negative or absurd dims, or bad external data;
    ///   `EdgeflowError.unsupported` for string, complex and other types Edgeflow lacks.
    public func toTensor(baseDirectory: URL?) throws -> Tensor {
        let dtype = try OnnxDataType.requiredDType(dataType, for: displayName)
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidModel, "\(displayName) has a negative dimension in \(dims.shapeDescription)")
        }
        guard let count = dims.checkedElementCount,
              case let (plainCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize), !overflow else {
            throw EdgeflowError(.invalidModel, "\(displayName) declares an absurd shape \(dims.shapeDescription)")
        }
        // int4, uint4, float4e2m1 (two per byte) and int2, uint2 (four per byte) are packed.
        let byteCount = PackedIntegers.isPacked(dtype) ? PackedIntegers.packedByteCount(count, dtype) : plainCount
        if hasExternalData {
            return try ExternalData.load(self, dtype: dtype, byteCount: byteCount, baseDirectory: baseDirectory)
        }
        if let rawData {
            guard rawData.count == byteCount else {
                throw sizeMismatch("raw_data holds \(rawData.count) bytes", byteCount: byteCount)
            }
            return rawData.withUnsafeBytes { OnnxTensor.tensor(dtype: dtype, shape: dims, littleEndianBytes: $0) }
        }
        return try fromTypedField(dtype: dtype, count: count)
    }

    /// A tensor from little-endian bytes whose count has been checked (packed for the sub-byte
    /// types); bools are normalized to 0/1.
    static func tensor(dtype: DType, shape: [Int], littleEndianBytes bytes: UnsafeRawBufferPointer) -> Tensor {
        if PackedIntegers.isPacked(dtype) {
            let tensor = Tensor(zeros: dtype, shape: shape)
            PackedIntegers.unpack(bytes, count: tensor.count, dtype: dtype,
                                  into: tensor.storage.pointer.assumingMemoryBound(to: UInt8.self))
            return tensor
        }
        let tensor = Tensor(dtype: dtype, shape: shape, bytes: bytes)
        if dtype == .bool {
            let raw = tensor.storage.pointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<tensor.count where raw[i] > 1 { raw[i] = 1 }
        }
        return tensor
    }

    /// The error for data of the wrong size, naming what is present and what the dims need.
    func sizeMismatch(_ present: String, byteCount: Int) -> EdgeflowError {
        EdgeflowError(.invalidModel,
            "\(displayName): \(present) but its dims \(dims.shapeDescription) of \(OnnxDataType.name(dataType)) "
                + "need \(byteCount) bytes",
            hint: "the model file is damaged or was written by a broken exporter")
    }

    private func fromTypedField(dtype: DType, count: Int) throws -> Tensor {
        func checked(_ present: Int, _ field: String) throws {
            guard present == count else {
                throw EdgeflowError(.invalidModel,
                    "\(displayName): \(field) holds \(present) values but its dims \(dims.shapeDescription) "
                        + "need \(count)",
                    hint: "the model file is damaged or was written by a broken exporter")
            }
        }
        switch dtype {
        case .float32:
            try checked(floatData.count, "float_data")
            return Tensor(shape: dims, scalars: floatData)
        case .float64:
            try checked(doubleData.count, "double_data")
            return Tensor(shape: dims, scalars: doubleData)
        case .int64:
            try checked(int64Data.count, "int64_data")
            return Tensor(shape: dims, scalars: int64Data)
        case .uint64:
            try checked(uint64Data.count, "uint64_data")
            return Tensor(shape: dims, scalars: uint64Data)
        case .uint32:
            try checked(uint64Data.count, "uint64_data")
            return Tensor(shape: dims, scalars: uint64Data.map { UInt32(truncatingIfNeeded: $0) })
        case .int32, .int16, .uint16, .int8, .uint8, .bool, .float16, .bfloat16:
            try checked(int32Data.count, "int32_data")
            return narrowedFromInt32Data(dtype)
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0,
             .float4e2m1, .int4, .uint4, .int2, .uint2:
            // One code (float8) or one packed byte (sub-byte types) per int32_data entry.
            let bytes = int32Data.map { UInt8(truncatingIfNeeded: $0) }
            let stored = PackedIntegers.isPacked(dtype) ? PackedIntegers.packedByteCount(count, dtype) : count
            guard bytes.count == stored else {
                throw sizeMismatch("int32_data holds \(bytes.count) bytes", byteCount: stored)
            }
            return bytes.withUnsafeBytes { OnnxTensor.tensor(dtype: dtype, shape: dims, littleEndianBytes: $0) }
        }
    }

    /// The types ONNX stores one per `int32_data` entry (float16/bfloat16 as their bit patterns).
    /// Only called for those types; the count has been checked.
    private func narrowedFromInt32Data(_ dtype: DType) -> Tensor {
        let values = int32Data
        switch dtype {
        case .int16: return Tensor(shape: dims, scalars: values.map { Int16(truncatingIfNeeded: $0) })
        case .uint16: return Tensor(shape: dims, scalars: values.map { UInt16(truncatingIfNeeded: $0) })
        case .int8: return Tensor(shape: dims, scalars: values.map { Int8(truncatingIfNeeded: $0) })
        case .uint8: return Tensor(shape: dims, scalars: values.map { UInt8(truncatingIfNeeded: $0) })
        case .bool: return Tensor(shape: dims, scalars: values.map { $0 != 0 })
        case .float16:
            return Tensor(shape: dims, scalars: values.map { Float16(bitPattern: UInt16(truncatingIfNeeded: $0)) })
        case .bfloat16:
            return Tensor(shape: dims, scalars: values.map { BFloat16(bitPattern: UInt16(truncatingIfNeeded: $0)) })
        default:
            return Tensor(shape: dims, scalars: values)
        }
    }
}
