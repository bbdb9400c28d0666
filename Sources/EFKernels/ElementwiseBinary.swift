// Binary elementwise kernels with numpy broadcasting, over every numeric dtype and bool.
// Arithmetic keeps the dtype of `a`; comparisons give bool. float16 and bfloat16 are computed
// in float32 and rounded back.

import EFCore

/// A binary function (the `fn` parameter of the core `binary` op).
public enum BinaryFunction: String, CaseIterable, Sendable {
    case add, sub, mul, div, pow, max, min, mod, fmod
    case and, or, xor
    case equal, less, lessOrEqual, greater, greaterOrEqual
    case bitShiftLeft, bitShiftRight, bitwiseAnd, bitwiseOr, bitwiseXor
    case prelu

    /// True when the result is bool.
    public var isComparison: Bool {
        switch self {
        case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}

extension Kernels {
    /// `fn(a, b)` elementwise with numpy broadcasting.
    ///
    /// `a` and `b` must have the same dtype, except for `pow`, whose exponent may have any
    /// numeric dtype (the result keeps `a`'s dtype). Integer `div` truncates toward zero, `mod`
    /// takes the sign of the divisor (Python), `fmod` the sign of the dividend (C); an integer
    /// division or remainder by zero gives 0. Integer add/sub/mul/pow wrap around. Float `max`
    /// and `min` return NaN when either operand is NaN. `and`/`or`/`xor` need bool operands.
    /// - Throws: `EdgeflowError.invalidInput` for shapes that do not broadcast or mismatched
    ///   dtypes; `.unsupported` for a function the dtype does not support.
    public static func binary(_ fn: BinaryFunction, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        if fn == .pow && a.dtype != b.dtype {
            if a.dtype.isInteger && b.dtype.isFloatingPoint {
                let wide = try binary(.pow, try cast(a, to: .float64), try cast(b, to: .float64))
                return try cast(wide, to: a.dtype)
            }
            return try binary(.pow, a, try cast(b, to: a.dtype))
        }
        guard a.dtype == b.dtype else {
            throw EdgeflowError(.invalidInput,
                "binary \(fn.rawValue) needs operands of one dtype, got \(a.dtype.rawValue) and \(b.dtype.rawValue)",
                hint: "insert a Cast so both operands have the same element type")
        }
        switch a.dtype {
        case .float32: return try binaryFloat(fn, a, b, Float.self)
        case .float64: return try binaryFloat(fn, a, b, Double.self)
        case .float16, .bfloat16:
            let result = try binaryFloat(fn, try cast(a, to: .float32), try cast(b, to: .float32), Float.self)
            return fn.isComparison ? result : try cast(result, to: a.dtype)
        case .int8: return try binaryInteger(fn, a, b, Int8.self)
        case .int16: return try binaryInteger(fn, a, b, Int16.self)
        case .int32: return try binaryInteger(fn, a, b, Int32.self)
        case .int64: return try binaryInteger(fn, a, b, Int64.self)
        case .uint8: return try binaryInteger(fn, a, b, UInt8.self)
        case .uint16: return try binaryInteger(fn, a, b, UInt16.self)
        case .uint32: return try binaryInteger(fn, a, b, UInt32.self)
        case .uint64: return try binaryInteger(fn, a, b, UInt64.self)
        case .bool: return try binaryBool(fn, a, b)
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            throw unsupportedBinary(fn, a.dtype)
        }
    }

    static func unsupportedBinary(_ fn: BinaryFunction, _ dtype: DType) -> EdgeflowError {
        EdgeflowError(.unsupported, "binary \(fn.rawValue) is not defined for \(dtype.rawValue) tensors")
    }

    /// Runs `f` over the broadcast of `a` and `b`, writing a new tensor of dtype `U.dtype`.
    @inline(__always)
    static func broadcastMap<T, U: TensorElement>(_ a: Tensor, _ b: Tensor, _ t: T.Type, _ u: U.Type,
                                                  _ f: (T, T) -> U) throws -> Tensor {
        let plan = try BroadcastPlan([a.shape, b.shape])
        let out = try makeOutput(U.dtype, plan.outputShape, "binary")
        let pa = a.elements(T.self), pb = b.elements(T.self), po = out.mutableElements(U.self)
        let n = plan.innerCount, sa = plan.innerStride(0), sb = plan.innerStride(1)
        plan.forEachRun { o, offsets in
            let x = pa + offsets[0], y = pb + offsets[1], z = po + o
            if sa != 0 && sb != 0 {
                for i in 0..<n { z[i] = f(x[i], y[i]) }
            } else if sa != 0 {
                let v = y[0]
                for i in 0..<n { z[i] = f(x[i], v) }
            } else if sb != 0 {
                let u = x[0]
                for i in 0..<n { z[i] = f(u, y[i]) }
            } else {
                let r = f(x[0], y[0])
                for i in 0..<n { z[i] = r }
            }
        }
        return out
    }

    private static func binaryFloat<T: KernelFloat>(_ fn: BinaryFunction, _ a: Tensor, _ b: Tensor,
                                                    _ t: T.Type) throws -> Tensor {
        switch fn {
        case .add: return try broadcastMap(a, b, T.self, T.self) { $0 + $1 }
        case .sub: return try broadcastMap(a, b, T.self, T.self) { $0 - $1 }
        case .mul: return try broadcastMap(a, b, T.self, T.self) { $0 * $1 }
        case .div: return try broadcastMap(a, b, T.self, T.self) { $0 / $1 }
        case .pow:
            if b.count == 1, b.rank <= a.rank, b.elements(T.self)[0] == 2 {
                // x² exactly as pow rounds it, without the cost of a pow call (LayerNorm patterns).
                return try mapElements(a, T.self, T.self) { $0 * $0 }
            }
            return try broadcastMap(a, b, T.self, T.self) { T.kPow($0, $1) }
        case .max: return try broadcastMap(a, b, T.self, T.self) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        case .min: return try broadcastMap(a, b, T.self, T.self) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
        case .fmod: return try broadcastMap(a, b, T.self, T.self) { T.kFmod($0, $1) }
        case .mod:
            return try broadcastMap(a, b, T.self, T.self) { x, y in
                let r = T.kFmod(x, y)
                return r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        case .prelu: return try broadcastMap(a, b, T.self, T.self) { $0 < 0 ? $0 * $1 : $0 }
        case .equal: return try broadcastMap(a, b, T.self, Bool.self) { $0 == $1 }
        case .less: return try broadcastMap(a, b, T.self, Bool.self) { $0 < $1 }
        case .lessOrEqual: return try broadcastMap(a, b, T.self, Bool.self) { $0 <= $1 }
        case .greater: return try broadcastMap(a, b, T.self, Bool.self) { $0 > $1 }
        case .greaterOrEqual: return try broadcastMap(a, b, T.self, Bool.self) { $0 >= $1 }
        case .and, .or, .xor, .bitShiftLeft, .bitShiftRight, .bitwiseAnd, .bitwiseOr, .bitwiseXor:
            throw unsupportedBinary(fn, a.dtype)
        }
    }

    private static func binaryBool(_ fn: BinaryFunction, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch fn {
        case .and, .bitwiseAnd: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 && $1 }
        case .or, .bitwiseOr: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 || $1 }
        case .xor, .bitwiseXor: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 != $1 }
        case .equal: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 == $1 }
        case .less: return try broadcastMap(a, b, Bool.self, Bool.self) { !$0 && $1 }
        case .lessOrEqual: return try broadcastMap(a, b, Bool.self, Bool.self) { !$0 || $1 }
        case .greater: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 && !$1 }
        case .greaterOrEqual: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 || !$1 }
        case .max: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 || $1 }
        case .min: return try broadcastMap(a, b, Bool.self, Bool.self) { $0 && $1 }
        default: throw unsupportedBinary(fn, .bool)
        }
    }
}
