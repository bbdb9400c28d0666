// ScatterElements and ScatterND: a copy of data with updates written (or combined) at the
// addressed positions, applied in index order so later duplicates win for "none".

import EFCore

/// How scatter combines an update with the existing element.
public enum ScatterReduction: String, Sendable {
    case none, add, mul, max, min
}

extension Kernels {
    /// ONNX ScatterElements along `axis` (normalized). `indices` and `updates` share a shape of
    /// `data`'s rank. Output: data's shape and dtype.
    /// - Throws: `EdgeflowError.invalidInput` for mismatched shapes/dtypes or out-of-range indices.
    public static func scatterElements(_ data: Tensor, indices: Tensor, updates: Tensor, axis: Int,
                                       reduction: ScatterReduction) throws -> Tensor {
        guard updates.shape == indices.shape, updates.dtype == data.dtype else {
            throw EdgeflowError(.invalidInput,
                "scatterElements updates \(updates) must match indices \(indices.shape.shapeDescription) and data "
                    + "dtype \(data.dtype.rawValue)")
        }
        let offsets = try elementOffsets(data.shape, indices: indices, axis: axis, "scatterElements")
        return try scatter(data, updates: updates, targets: offsets, blockSize: 1, reduction: reduction)
    }

    /// ONNX ScatterND: each index tuple of `indices` (last dim m) selects a block of `data`,
    /// replaced or combined with the matching block of `updates`
    /// (shape `indices.shape[..<q-1] + data.shape[m...]`).
    /// - Throws: `EdgeflowError.invalidInput` for inconsistent shapes or out-of-range indices.
    public static func scatterND(_ data: Tensor, indices: Tensor, updates: Tensor,
                                 reduction: ScatterReduction) throws -> Tensor {
        let layout = try NDLayout(data.shape, indices.shape, batchDims: 0, "scatterND")
        guard updates.shape == layout.gatherShape, updates.dtype == data.dtype else {
            throw EdgeflowError(.invalidInput,
                "scatterND updates \(updates) must have shape \(layout.gatherShape.shapeDescription) and dtype "
                    + "\(data.dtype.rawValue)")
        }
        let targets = try layout.blockOffsets(try indexValues(indices, "scatterND"), "scatterND")
        return try scatter(data, updates: updates, targets: targets, blockSize: layout.blockSize, reduction: reduction)
    }

    /// Copies `data`, then for block k applies updates[k·blockSize ..< (k+1)·blockSize] at
    /// `targets[k]`.
    private static func scatter(_ data: Tensor, updates: Tensor, targets: [Int], blockSize: Int,
                                reduction: ScatterReduction) throws -> Tensor {
        let out = try makeOutput(data.dtype, data.shape, "scatter")
        copyBlock(data, 0, out, 0, count: data.count)
        if reduction == .none {
            for (k, target) in targets.enumerated() {
                copyBlock(updates, k * blockSize, out, target, count: blockSize)
            }
            return out
        }
        switch data.dtype {
        case .float32: combine(out, updates, targets, blockSize, reduction, Float.self)
        case .float64: combine(out, updates, targets, blockSize, reduction, Double.self)
        case .float16: combine(out, updates, targets, blockSize, reduction, Float16.self)
        case .int8: combine(out, updates, targets, blockSize, reduction, Int8.self)
        case .int16: combine(out, updates, targets, blockSize, reduction, Int16.self)
        case .int32: combine(out, updates, targets, blockSize, reduction, Int32.self)
        case .int64: combine(out, updates, targets, blockSize, reduction, Int64.self)
        case .uint8: combine(out, updates, targets, blockSize, reduction, UInt8.self)
        case .uint16: combine(out, updates, targets, blockSize, reduction, UInt16.self)
        case .uint32: combine(out, updates, targets, blockSize, reduction, UInt32.self)
        case .uint64: combine(out, updates, targets, blockSize, reduction, UInt64.self)
        case .bfloat16:
            let wide = try scatter(try cast(data, to: .float32), updates: try cast(updates, to: .float32),
                                   targets: targets, blockSize: blockSize, reduction: reduction)
            return try cast(wide, to: .bfloat16)
        case .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            throw EdgeflowError(.unsupported,
                                "scatter reduction '\(reduction.rawValue)' is not defined for \(data.dtype.rawValue)")
        }
        return out
    }

    private static func combine<T: Numeric & Comparable & TensorElement>(
        _ out: Tensor, _ updates: Tensor, _ targets: [Int], _ blockSize: Int,
        _ reduction: ScatterReduction, _ t: T.Type
    ) {
        let dst = out.mutableElements(T.self), src = updates.elements(T.self)
        for (k, target) in targets.enumerated() {
            for i in 0..<blockSize {
                let u = src[k * blockSize + i], d = dst[target + i]
                switch reduction {
                case .add: dst[target + i] = d + u
                case .mul: dst[target + i] = d * u
                case .max: dst[target + i] = Swift.max(d, u)
                case .min: dst[target + i] = Swift.min(d, u)
                case .none: dst[target + i] = u
                }
            }
        }
    }
}
