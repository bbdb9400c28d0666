// Reductions over a set of axes (sum, mean, max, min, prod, l1, l2, logSum, logSumExp,
// sumSquare). Floats accumulate in float64; integers in their own type with wrap-around.

import EFCore

/// A reduction (the `fn` parameter of the core `reduce` op).
public enum ReduceFunction: String, CaseIterable, Sendable {
    case sum, mean, max, min, prod, l1, l2, logSum, logSumExp, sumSquare
}

extension Kernels {
    /// The shape `reduce` produces.
    public static func reducedShape(_ shape: [Int], axes: Set<Int>, keepDims: Bool) -> [Int] {
        shape.indices.compactMap { axes.contains($0) ? (keepDims ? 1 : nil) : shape[$0] }
    }

    /// Reduces `x` over `axes` (normalized; empty means all axes).
    ///
    /// Reducing an empty set gives the identity of the reduction: 0 for sum, l1, l2, sumSquare;
    /// 1 for prod; -inf (integers: the minimum) for max and logSumExp and logSum; +inf
    /// (integers: the maximum) for min; NaN for mean. Float max/min propagate NaN. Integer
    /// mean, l2, logSum and logSumExp are computed in float64 and truncated. Bool supports max/min.
    /// - Throws: `EdgeflowError.invalidInput` for an axis out of range; `.unsupported` for a
    ///   function the dtype does not support.
    public static func reduce(_ fn: ReduceFunction, _ x: Tensor, axes: [Int], keepDims: Bool) throws -> Tensor {
        guard axes.allSatisfy({ $0 >= 0 && $0 < x.rank }) else {
            throw EdgeflowError(.invalidInput, "reduce axes \(axes) are out of range for rank \(x.rank)")
        }
        let axisSet = axes.isEmpty ? Set(0..<x.rank) : Set(axes)
        let shape = reducedShape(x.shape, axes: axisSet, keepDims: keepDims)
        let layout = ReductionLayout(shape: x.shape, axes: axisSet)
        switch x.dtype {
        case .float32: return try reduceFloat(fn, x, Float.self, layout, shape)
        case .float64: return try reduceFloat(fn, x, Double.self, layout, shape)
        case .float16, .bfloat16:
            return try computingHalfInFloat32(x) { try reduceFloat(fn, $0, Float.self, layout, shape) }
        case .bool:
            guard fn == .max || fn == .min else {
                throw EdgeflowError(.unsupported,
                    "reduce \(fn.rawValue) is not defined for bool")
            }
            return try cast(try reduce(fn, try cast(x, to: .uint8), axes: axes, keepDims: keepDims), to: .bool)
        default:
            switch fn {
            case .mean, .l2, .logSum, .logSumExp:
                return try cast(try reduce(fn, try cast(x, to: .float64), axes: axes, keepDims: keepDims), to: x.dtype)
            default: break
            }
            switch x.dtype {
            case .int8: return try reduceInteger(fn, x, Int8.self, layout, shape)
            case .int16: return try reduceInteger(fn, x, Int16.self, layout, shape)
            case .int32: return try reduceInteger(fn, x, Int32.self, layout, shape)
            case .uint8: return try reduceInteger(fn, x, UInt8.self, layout, shape)
            case .uint16: return try reduceInteger(fn, x, UInt16.self, layout, shape)
            case .uint32: return try reduceInteger(fn, x, UInt32.self, layout, shape)
            case .uint64: return try reduceInteger(fn, x, UInt64.self, layout, shape)
            default: return try reduceInteger(fn, x, Int64.self, layout, shape)
            }
        }
    }

    /// Folds every input element into its output slot's accumulator, walking input in order.
    @inline(__always)
    static func fold<T, A>(_ layout: ReductionLayout, _ src: UnsafePointer<T>, into acc: inout [A],
                           _ f: (inout A, T) -> Void) {
        acc.withUnsafeMutableBufferPointer { out in
            layout.forEachRun { i, o, n, innerReduced in
                if innerReduced {
                    var a = out[o]
                    for k in 0..<n { f(&a, src[i + k]) }
                    out[o] = a
                } else {
                    for k in 0..<n { f(&out[o + k], src[i + k]) }
                }
            }
        }
    }

    private static func reduceFloat<T: KernelFloat>(_ fn: ReduceFunction, _ x: Tensor, _ t: T.Type,
                                                    _ layout: ReductionLayout, _ shape: [Int]) throws -> Tensor {
        let src = x.elements(T.self)
        let n = Double(layout.reducedCount)
        var acc: [Double]
        switch fn {
        case .sum, .mean, .logSum:
            acc = [Double](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 += Double($1) }
            if fn == .mean { acc = acc.map { $0 / n } }
            if fn == .logSum { acc = acc.map { Double.kLog($0) } }
        case .l1:
            acc = [Double](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 += Swift.abs(Double($1)) }
        case .l2, .sumSquare:
            acc = [Double](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 += Double($1) * Double($1) }
            if fn == .l2 { acc = acc.map { $0.squareRoot() } }
        case .prod:
            acc = [Double](repeating: 1, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 *= Double($1) }
        case .max:
            acc = [Double](repeating: -.infinity, count: layout.outputCount)
            fold(layout, src, into: &acc) { a, v in if Double(v) > a || v.isNaN { a = Double(v) } }
        case .min:
            acc = [Double](repeating: .infinity, count: layout.outputCount)
            fold(layout, src, into: &acc) { a, v in if Double(v) < a || v.isNaN { a = Double(v) } }
        case .logSumExp:
            var peak = [Double](repeating: -.infinity, count: layout.outputCount)
            fold(layout, src, into: &peak) { a, v in if Double(v) > a || v.isNaN { a = Double(v) } }
            let shift = peak.map { $0.isFinite ? $0 : 0 }
            var sums = [Double](repeating: 0, count: layout.outputCount)
            sums.withUnsafeMutableBufferPointer { out in
                layout.forEachRun { i, o, count, innerReduced in
                    for k in 0..<count {
                        let slot = innerReduced ? o : o + k
                        out[slot] += Double.kExp(Double(src[i + k]) - shift[slot])
                    }
                }
            }
            acc = zip(sums, shift).map { Double.kLog($0) + $1 }
        }
        let out = try makeOutput(T.dtype, shape, "reduce")
        let dst = out.mutableElements(T.self)
        for i in 0..<acc.count { dst[i] = T(acc[i]) }
        return out
    }

    private static func reduceInteger<T: FixedWidthInteger & TensorElement>(
        _ fn: ReduceFunction, _ x: Tensor, _ t: T.Type, _ layout: ReductionLayout, _ shape: [Int]
    ) throws -> Tensor {
        let src = x.elements(T.self)
        var acc: [T]
        switch fn {
        case .sum:
            acc = [T](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = $0 &+ $1 }
        case .l1:
            acc = [T](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = $0 &+ ($1 < 0 ? 0 &- $1 : $1) }
        case .sumSquare:
            acc = [T](repeating: 0, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = $0 &+ $1 &* $1 }
        case .prod:
            acc = [T](repeating: 1, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = $0 &* $1 }
        case .max:
            acc = [T](repeating: T.min, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = Swift.max($0, $1) }
        case .min:
            acc = [T](repeating: T.max, count: layout.outputCount)
            fold(layout, src, into: &acc) { $0 = Swift.min($0, $1) }
        case .mean, .l2, .logSum, .logSumExp:
            throw EdgeflowError(.internalError, "integer reduce \(fn.rawValue) must go through float64")
        }
        return Tensor(shape: shape, scalars: acc)
    }
}
