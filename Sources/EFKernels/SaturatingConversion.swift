// Conversion of Double results (resize, quantization) to any dtype with numpy's saturate_cast
// rules, shared by the resize and quantized kernels.

import EFCore

extension Kernels {
    /// A tensor of `dtype` holding `values`: floats are rounded to nearest, integers rounded half
    /// to even and saturated to the dtype's range (NaN becomes 0), bool is `value != 0` — numpy's
    /// `saturate_cast` as the ONNX reference uses it.
    static func saturatingTensor(from values: [Double], shape: [Int], dtype: DType) -> Tensor {
        func integers<T: FixedWidthInteger & TensorElement>(_ type: T.Type) -> Tensor {
            Tensor(shape: shape, scalars: values.map { saturatingInteger($0, T.self) })
        }
        switch dtype {
        case .float32: return Tensor(shape: shape, scalars: values.map { Float($0) })
        case .float64: return Tensor(shape: shape, scalars: values)
        case .float16: return Tensor(shape: shape, scalars: values.map { Float16($0) })
        case .bfloat16: return Tensor(shape: shape, scalars: values.map { BFloat16(Float($0)) })
        case .int8: return integers(Int8.self)
        case .uint8: return integers(UInt8.self)
        case .int16: return integers(Int16.self)
        case .uint16: return integers(UInt16.self)
        case .int32: return integers(Int32.self)
        case .uint32: return integers(UInt32.self)
        case .int64: return integers(Int64.self)
        case .uint64: return integers(UInt64.self)
        case .bool: return Tensor(shape: shape, scalars: values.map { $0 != 0 })
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            return saturatingSmallTypeTensor(from: values, shape: shape, dtype: dtype)
        }
    }

    /// `value` rounded half to even and clamped to the range of `T` (NaN gives 0).
    @inline(__always)
    static func saturatingInteger<T: FixedWidthInteger>(_ value: Double, _ type: T.Type) -> T {
        guard !value.isNaN else { return 0 }
        let rounded = value.rounded(.toNearestOrEven)
        if rounded <= Double(T.min) { return T.min }
        if rounded >= Double(T.max) { return T.max }
        return T(rounded)
    }
}
