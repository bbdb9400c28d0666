// Cast to and from the small ONNX types (one element per byte in memory, DType's doc comment),
// as the ONNX reference (ml_dtypes) does it:
// - to float8/float4e2m1: round to nearest even from the exact value (SmallFloatFormat.encode;
//   `saturate` for float8), float8e8m0 from float32 by `round_mode` (encodeE8M0);
// - to int4/uint4/int2/uint2: the int64 conversion (floats truncate, NaN → 0), then the low bits
//   (wrapping, as ml_dtypes' astype), sign-extended in memory for int4/int2;
// - from a small type: its exact value as float32 (float formats) or int8 (integers), then the
//   ordinary cast, so each conversion rounds once.

import EFCore

extension Kernels {
    /// `cast` when the source or the target is a small type. Same shape.
    static func castSmallTypes(_ x: Tensor, to dtype: DType, saturate: Bool,
                               roundMode: SmallFloatFormat.E8M0Rounding) throws -> Tensor {
        if x.dtype.isSmall {
            let wide = try widenSmallType(x)
            return try cast(wide, to: dtype, saturate: saturate, roundMode: roundMode)
        }
        let out = try makeOutput(dtype, x.shape, "cast")
        let dst = out.storage.pointer.assumingMemoryBound(to: UInt8.self)
        if dtype == .float8e8m0 {
            let floats = try cast(x, to: .float32)
            floats.withUnsafeBufferPointer(as: Float.self) { src in
                for i in src.indices {
                    dst[i] = SmallFloatFormat.encodeE8M0(src[i], saturate: saturate, mode: roundMode)
                }
            }
        } else if let format = SmallFloatFormat.of(dtype) {
            for (i, value) in x.doubleValues().enumerated() { dst[i] = format.encode(value, saturate: saturate) }
        } else {
            let wide = try cast(x, to: .int64)
            wide.withUnsafeBufferPointer(as: Int64.self) { src in
                for i in src.indices { dst[i] = PackedIntegers.memoryByte(UInt8(truncatingIfNeeded: src[i]), dtype) }
            }
        }
        return out
    }

    /// A small-type tensor as float32 (float formats) or int8 (integers); exact.
    /// - Precondition: `x.dtype.isSmall`.
    static func widenSmallType(_ x: Tensor) throws -> Tensor {
        let floats = SmallFloatFormat.of(x.dtype) != nil
        let out = try makeOutput(floats ? .float32 : .int8, x.shape, "cast")
        x.withUnsafeBytes { src in
            if floats {
                let dst = out.storage.pointer.assumingMemoryBound(to: Float.self)
                for i in src.indices { dst[i] = Float(x.dtype.smallTypeValue(of: src[i])) }
            } else if let base = src.baseAddress {
                out.storage.pointer.copyMemory(from: base, byteCount: src.count)
            }
        }
        return out
    }
}

extension Kernels {
    /// `saturatingTensor` for the small types: float formats round to nearest even and saturate
    /// unless `saturate` is false (float8e8m0 rounds up, as ONNX Cast's default), integers round
    /// half to even and clamp to
    /// int4 [-8, 7], uint4 [0, 15], int2 [-2, 1], uint2 [0, 3] (NaN gives 0).
    static func saturatingSmallTypeTensor(from values: [Double], shape: [Int], dtype: DType,
                                          saturate: Bool = true) -> Tensor {
        let out = Tensor(zeros: dtype, shape: shape)
        let dst = out.storage.pointer.assumingMemoryBound(to: UInt8.self)
        if let format = SmallFloatFormat.of(dtype) {
            for (i, value) in values.enumerated() { dst[i] = format.encode(value, saturate: saturate) }
            return out
        }
        let range = smallIntegerRange(dtype)
        for (i, value) in values.enumerated() {
            let nearest = value.isNaN ? 0 : value.rounded(.toNearestOrEven)
            let rounded = min(max(nearest, range.lowerBound), range.upperBound)
            dst[i] = UInt8(bitPattern: Int8(rounded))
        }
        return out
    }

    /// The range of a sub-byte integer type.
    /// - Precondition: `dtype.subByteIntegerBits != nil`.
    static func smallIntegerRange(_ dtype: DType) -> ClosedRange<Double> {
        let bits = dtype.subByteIntegerBits ?? 8
        let span = Double(1 << bits)
        return dtype == .int4 || dtype == .int2 ? -span / 2...span / 2 - 1 : 0...span - 1
    }
}
