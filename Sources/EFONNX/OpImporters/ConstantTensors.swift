// Building constant tensors of any dtype for the constant importers, with a size limit so a
// declared shape can never cause a giant allocation.

import EFCore

enum ConstantTensors {
    /// The largest constant an importer generates (1 GiB).
    static let maximumBytes = 1 << 30

    /// A rank-0 tensor of `dtype` holding `value` (converted as Swift's numeric initializers do).
    static func scalar(_ value: Double, as dtype: DType) -> Tensor {
        tensor([value], as: dtype).reshaped([])
    }

    /// A 1-D tensor of `dtype` from doubles; for integer dtypes the values must be integral and
    /// in range (callers pass 0/1 or computed counts). Integer dtypes go through the Int64 variant.
    static func tensor(_ values: [Double], as dtype: DType) -> Tensor {
        let shape = [values.count]
        switch dtype {
        case .float32: return Tensor(shape: shape, scalars: values.map { Float($0) })
        case .float64: return Tensor(shape: shape, scalars: values)
        case .float16: return Tensor(shape: shape, scalars: values.map { Float16($0) })
        case .bfloat16: return Tensor(shape: shape, scalars: values.map { BFloat16(Float($0)) })
        case .bool: return Tensor(shape: shape, scalars: values.map { $0 != 0 })
        default: return tensor(values.map { Int64($0) }, as: dtype)
        }
    }

    /// A 1-D tensor of `dtype` from int64 values (wrapping for narrower integer types);
    /// floating-point and bool dtypes go through the Double variant.
    static func tensor(_ values: [Int64], as dtype: DType) -> Tensor {
        let shape = [values.count]
        switch dtype {
        case .int8: return Tensor(shape: shape, scalars: values.map { Int8(truncatingIfNeeded: $0) })
        case .uint8: return Tensor(shape: shape, scalars: values.map { UInt8(truncatingIfNeeded: $0) })
        case .int16: return Tensor(shape: shape, scalars: values.map { Int16(truncatingIfNeeded: $0) })
        case .uint16: return Tensor(shape: shape, scalars: values.map { UInt16(truncatingIfNeeded: $0) })
        case .int32: return Tensor(shape: shape, scalars: values.map { Int32(truncatingIfNeeded: $0) })
        case .uint32: return Tensor(shape: shape, scalars: values.map { UInt32(truncatingIfNeeded: $0) })
        case .int64: return Tensor(shape: shape, scalars: values)
        case .uint64: return Tensor(shape: shape, scalars: values.map { UInt64(bitPattern: $0) })
        default: return tensor(values.map { Double($0) }, as: dtype)
        }
    }

    /// `element` (one element) repeated to fill `shape`.
    /// - Throws: `EdgeflowError.unsupported` when the result would exceed `maximumBytes`.
    static func repeated(_ element: Tensor, shape: [Int], for node: OnnxNode) throws -> Tensor {
        let count = try checkedCount(Double(shape.checkedElementCount ?? Int.max), for: node, elementSize: element.dtype.byteSize)
        let result = Tensor(zeros: element.dtype, shape: shape)
        let size = element.dtype.byteSize
        element.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            for index in 0..<count {
                (result.storage.pointer + index * size).copyMemory(from: base, byteCount: size)
            }
        }
        return result
    }

    /// An element count computed as a Double (e.g. Range's ceil((limit - start) / delta)),
    /// checked to give at most `maximumBytes`.
    static func checkedCount(_ count: Double, for node: OnnxNode, elementSize: Int = 8) throws -> Int {
        guard count.isFinite, count >= 0, count * Double(elementSize) <= Double(maximumBytes) else {
            throw EdgeflowError(.unsupported,
                "\(node.opType) node '\(node.displayName)' would create a constant of \(count) elements (over \(maximumBytes >> 20) MiB)",
                hint: "check the model's shapes and --input-shape values")
        }
        return Int(count)
    }
}
