// How a weight of each dtype is stored in the archive's weights.npz: as itself, except
// bfloat16 (raw `<u2`), the float8/float4 codes (`|u1` of the weight's shape) and the sub-byte
// integers int4/uint4/int2/uint2, packed as ONNX packs them into a 1-D `|u1` array of
// ceil(count · bits / 8) bytes (docs/numerics.md, "Small types"). graph.json gives the real type.

import EFCore

enum StoredWeights {
    /// The `.npy` dtype and shape a weight of `type` is stored with.
    static func storedForm(of type: DType, shape: [Int]) -> (dtype: DType, shape: [Int])? {
        if PackedIntegers.isPacked(type) {
            guard let count = shape.checkedElementCount else { return nil }
            return (.uint8, [PackedIntegers.packedByteCount(count, type)])
        }
        if type == .bfloat16 { return (.uint16, shape) }
        return (type.isSmall ? .uint8 : type, shape)
    }

    /// The tensor written for `tensor`: its packed bytes as uint8 for the sub-byte types,
    /// itself otherwise (`NPY.encode` writes bfloat16 and the 8-bit codes by their descr).
    static func encoded(_ tensor: Tensor) -> Tensor {
        guard PackedIntegers.isPacked(tensor.dtype) else { return tensor }
        let packed = tensor.storedData
        return packed.withUnsafeBytes { Tensor(dtype: .uint8, shape: [packed.count], bytes: $0) }
    }

    /// The weight of `type` and `shape` from the tensor read from weights.npz, whose header has
    /// been checked against `storedForm`.
    /// - Throws: `EdgeflowError.invalidModel` when the stored size does not fit (never for a
    ///   checked header).
    static func decoded(_ stored: Tensor, as type: DType, shape: [Int], _ what: String) throws -> Tensor {
        guard stored.dtype != type else { return stored }
        return try stored.withUnsafeBytes { try Tensor.unpacking(type, shape: shape, stored: $0, what) }
    }
}
