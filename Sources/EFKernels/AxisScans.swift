// Kernels that scan along one axis: argMax/argMin, cumulative sum and top-k.

import EFCore

extension Kernels {
    /// Index of the maximum (`largest`) or minimum along `axis` (normalized), as int64. Ties
    /// pick the first index, or the last with `selectLastIndex`; NaN counts as larger than every
    /// number. Output drops the axis unless `keepDims`. Any numeric dtype or bool.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis or an empty axis.
    public static func argReduce(_ x: Tensor, axis: Int, largest: Bool, keepDims: Bool,
                                 selectLastIndex: Bool) throws -> Tensor {
        let layout = try AxisLayout(x.shape, axis: axis, "argReduce")
        guard layout.length > 0 || x.count == 0 else {
            throw EdgeflowError(.invalidInput, "argReduce over an empty axis \(axis) of \(x.shape.shapeDescription)")
        }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        let keys = try sortKeys(x)
        var result = [Int64](repeating: 0, count: layout.outer * layout.inner)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var best = 0
                for k in 1..<Swift.max(layout.length, 1) {
                    let candidate = keys.compare(layout.offset(o, k, i), layout.offset(o, best, i))
                    let wins = largest ? candidate > 0 : candidate < 0
                    if wins || (selectLastIndex && candidate == 0) { best = k }
                }
                result[o * layout.inner + i] = Int64(best)
            }
        }
        return Tensor(shape: shape, scalars: result)
    }

    /// Cumulative sum along `axis` (normalized); `exclusive` leaves out the element itself,
    /// `reverse` sums from the end. Numeric dtypes; same shape and dtype.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis; `.unsupported` for bool.
    public static func cumSum(_ x: Tensor, axis: Int, exclusive: Bool, reverse: Bool) throws -> Tensor {
        let layout = try AxisLayout(x.shape, axis: axis, "cumSum")
        switch x.dtype {
        case .float32: return try cumSum(x, layout, exclusive, reverse, Float.self)
        case .float64: return try cumSum(x, layout, exclusive, reverse, Double.self)
        case .int32: return try cumSum(x, layout, exclusive, reverse, Int32.self)
        case .int64: return try cumSum(x, layout, exclusive, reverse, Int64.self)
        case .uint32: return try cumSum(x, layout, exclusive, reverse, UInt32.self)
        case .uint64: return try cumSum(x, layout, exclusive, reverse, UInt64.self)
        case .bool: throw EdgeflowError(.unsupported, "cumSum is not defined for bool")
        default:
            let wide = try cumSum(try cast(x, to: .float64), axis: axis, exclusive: exclusive, reverse: reverse)
            return try cast(wide, to: x.dtype)
        }
    }

    private static func cumSum<T: ScanAddable>(
        _ x: Tensor, _ layout: AxisLayout, _ exclusive: Bool, _ reverse: Bool, _ t: T.Type
    ) throws -> Tensor {
        let out = try makeOutput(x.dtype, x.shape, "cumSum")
        let src = x.elements(T.self), dst = out.mutableElements(T.self)
        var running = [T](repeating: .zero, count: layout.inner)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner { running[i] = .zero }
            for step in 0..<layout.length {
                let k = reverse ? layout.length - 1 - step : step
                let row = layout.offset(o, k, 0)
                for i in 0..<layout.inner {
                    if exclusive {
                        dst[row + i] = running[i]
                        running[i] = T.scanAdd(running[i], src[row + i])
                    } else {
                        running[i] = T.scanAdd(running[i], src[row + i])
                        dst[row + i] = running[i]
                    }
                }
            }
        }
        return out
    }

    /// The `k` largest (or smallest) elements along `axis` (normalized) and their int64
    /// indices, sorted (largest first, or smallest first); equal values keep the lower index
    /// first; NaN counts as larger than every number.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis or k outside 0...length.
    public static func topK(_ x: Tensor, k: Int, axis: Int, largest: Bool) throws -> (values: Tensor, indices: Tensor) {
        let layout = try AxisLayout(x.shape, axis: axis, "topK")
        guard k >= 0 && k <= layout.length else {
            throw EdgeflowError(.invalidInput,
                "topK k = \(k) is outside 0...\(layout.length) for axis \(axis) of \(x.shape.shapeDescription)")
        }
        var shape = x.shape
        shape[axis] = k
        let keys = try sortKeys(x)
        var offsets: [Int] = [], indices = [Int64](repeating: 0, count: shape.elementCount)
        offsets.reserveCapacity(indices.count)
        var order = [Int](repeating: 0, count: layout.length)
        var chosen = [Int](repeating: 0, count: layout.outer * layout.inner * k)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                for j in 0..<layout.length { order[j] = j }
                order.sort { a, b in
                    let c = keys.compare(layout.offset(o, a, i), layout.offset(o, b, i))
                    return c == 0 ? a < b : (largest ? c > 0 : c < 0)
                }
                for j in 0..<k { chosen[(o * k + j) * layout.inner + i] = order[j] }
            }
        }
        for o in 0..<layout.outer {
            for j in 0..<k {
                for i in 0..<layout.inner {
                    let position = (o * k + j) * layout.inner + i
                    indices[position] = Int64(chosen[position])
                    offsets.append(layout.offset(o, chosen[position], i))
                }
            }
        }
        return (try gather(x, offsets: offsets, shape: shape), Tensor(shape: shape, scalars: indices))
    }
}

/// Addition for cumulative sums: IEEE for floats, wrapping for integers.
protocol ScanAddable: TensorElement, AdditiveArithmetic {
    static func scanAdd(_ a: Self, _ b: Self) -> Self
}
extension Float: ScanAddable { @inline(__always) static func scanAdd(_ a: Float, _ b: Float) -> Float { a + b } }
extension Double: ScanAddable { @inline(__always) static func scanAdd(_ a: Double, _ b: Double) -> Double { a + b } }
extension Int32: ScanAddable { @inline(__always) static func scanAdd(_ a: Int32, _ b: Int32) -> Int32 { a &+ b } }
extension Int64: ScanAddable { @inline(__always) static func scanAdd(_ a: Int64, _ b: Int64) -> Int64 { a &+ b } }
extension UInt32: ScanAddable { @inline(__always) static func scanAdd(_ a: UInt32, _ b: UInt32) -> UInt32 { a &+ b } }
extension UInt64: ScanAddable { @inline(__always) static func scanAdd(_ a: UInt64, _ b: UInt64) -> UInt64 { a &+ b } }

/// Element values in a form that orders exactly: floats as Double (NaN above everything),
/// signed integers as Int64, unsigned as UInt64.
enum SortKeys {
    case floats([Double])
    case signed([Int64])
    case unsigned([UInt64])

    /// -1, 0 or 1 as element a is below, equal to or above element b.
    @inline(__always) func compare(_ a: Int, _ b: Int) -> Int {
        switch self {
        case .floats(let v):
            let x = v[a], y = v[b]
            if x.isNaN || y.isNaN { return x.isNaN == y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
            return x < y ? -1 : (x > y ? 1 : 0)
        case .signed(let v): return v[a] < v[b] ? -1 : (v[a] > v[b] ? 1 : 0)
        case .unsigned(let v): return v[a] < v[b] ? -1 : (v[a] > v[b] ? 1 : 0)
        }
    }
}

extension Kernels {
    static func sortKeys(_ x: Tensor) throws -> SortKeys {
        switch x.dtype {
        case .int64: return .signed(x.scalars(as: Int64.self))
        case .uint64: return .unsigned(x.scalars(as: UInt64.self))
        default: return .floats(x.doubleValues())
        }
    }
}
