// Binary elementwise kernels on integer dtypes: wrapping arithmetic, truncating division,
// Python and C remainders, integer powers, shifts and bitwise logic.

import EFCore

extension Kernels {
    static func binaryInteger<T: FixedWidthInteger & TensorElement>(
        _ fn: BinaryFunction, _ a: Tensor, _ b: Tensor, _ t: T.Type
    ) throws -> Tensor {
        switch fn {
        case .add: return try broadcastMap(a, b, T.self, T.self) { $0 &+ $1 }
        case .sub: return try broadcastMap(a, b, T.self, T.self) { $0 &- $1 }
        case .mul: return try broadcastMap(a, b, T.self, T.self) { $0 &* $1 }
        case .div:
            return try broadcastMap(a, b, T.self, T.self) { x, y in
                y == 0 ? 0 : x.dividedReportingOverflow(by: y).partialValue
            }
        case .fmod:
            return try broadcastMap(a, b, T.self, T.self) { x, y in
                y == 0 ? 0 : x.remainderReportingOverflow(dividingBy: y).partialValue
            }
        case .mod:
            return try broadcastMap(a, b, T.self, T.self) { x, y in
                guard y != 0 else { return 0 }
                let r = x.remainderReportingOverflow(dividingBy: y).partialValue
                return r != 0 && (r < 0) != (y < 0) ? r &+ y : r
            }
        case .pow: return try broadcastMap(a, b, T.self, T.self) { integerPower($0, $1) }
        case .max: return try broadcastMap(a, b, T.self, T.self) { Swift.max($0, $1) }
        case .min: return try broadcastMap(a, b, T.self, T.self) { Swift.min($0, $1) }
        case .prelu: return try broadcastMap(a, b, T.self, T.self) { $0 < 0 ? $0 &* $1 : $0 }
        case .equal: return try broadcastMap(a, b, T.self, Bool.self) { $0 == $1 }
        case .less: return try broadcastMap(a, b, T.self, Bool.self) { $0 < $1 }
        case .lessOrEqual: return try broadcastMap(a, b, T.self, Bool.self) { $0 <= $1 }
        case .greater: return try broadcastMap(a, b, T.self, Bool.self) { $0 > $1 }
        case .greaterOrEqual: return try broadcastMap(a, b, T.self, Bool.self) { $0 >= $1 }
        // ONNX (opset 28): a negative shift, or one of at least the type's width, leaves only the
        // sign extension: -1 for a right shift of a negative value, else 0. Swift's smart shifts
        // give that for wide shifts but shift the other way for negative ones.
        case .bitShiftLeft: return try broadcastMap(a, b, T.self, T.self) { $1 < 0 ? 0 : $0 << $1 }
        case .bitShiftRight:
            return try broadcastMap(a, b, T.self, T.self) { $1 < 0 ? ($0 < 0 ? T.zero &- 1 : 0) : $0 >> $1 }
        case .bitwiseAnd: return try broadcastMap(a, b, T.self, T.self) { $0 & $1 }
        case .bitwiseOr: return try broadcastMap(a, b, T.self, T.self) { $0 | $1 }
        case .bitwiseXor: return try broadcastMap(a, b, T.self, T.self) { $0 ^ $1 }
        case .and, .or, .xor: throw unsupportedBinary(fn, a.dtype)
        }
    }

    /// base^exponent by repeated squaring, wrapping on overflow. A negative exponent gives the
    /// truncated integer result of 1 / base^|exponent| (0 unless |base| is 1; 0 for base 0).
    @inline(__always)
    static func integerPower<T: FixedWidthInteger>(_ base: T, _ exponent: T) -> T {
        if exponent < 0 {
            if base == 1 { return 1 }
            if T.isSigned && base == 0 &- 1 { return exponent & 1 == 0 ? 1 : base }
            return 0
        }
        var result: T = 1, square = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result &* square }
            e >>= 1
            if e > 0 { square = square &* square }
        }
        return result
    }
}
