// Unary elementwise kernels: activations and math functions on floats, the few integer and
// bool functions, and the NaN/Inf tests. float16 and bfloat16 are computed in float32.

import EFCore

/// A unary function (the `fn` parameter of the core `unary` op).
public enum UnaryFunction: String, CaseIterable, Sendable {
    case identity, relu, sigmoid, tanh, exp, log, sqrt, neg, abs, erf, floor, ceil, round
    case reciprocal, sign, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh
    case softplus, softsign, mish, gelu, geluTanh, hardSwish, hardSigmoid, leakyRelu, elu, selu
    case celu, thresholdedRelu, clip, not, isNaN, isInf, bitwiseNot

    /// True when the result is bool whatever the input dtype.
    public var producesBool: Bool { self == .isNaN || self == .isInf }
}

/// Parameters of the parametrised unary functions (unused ones are ignored).
public struct UnaryParameters: Equatable, Sendable {
    public var alpha: Float
    public var beta: Float
    public var gamma: Float
    public init(alpha: Float = 0, beta: Float = 0, gamma: Float = 0) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
    }
}

extension Kernels {
    /// Applies `fn` to every element of `x`. Output has `x`'s shape and dtype (bool for isNaN
    /// and isInf). For isInf, `alpha` = 1 detects +inf and `beta` = 1 detects -inf.
    /// Floats support every function; integers identity, relu, neg, abs, sign, bitwiseNot;
    /// bool identity and not.
    /// - Throws: `EdgeflowError.unsupported` for a function the dtype does not support.
    public static func unary(_ fn: UnaryFunction, _ x: Tensor,
                             _ parameters: UnaryParameters = UnaryParameters()) throws -> Tensor {
        switch x.dtype {
        case .float32: return try unaryFloat(fn, x, Float.self, parameters)
        case .float64: return try unaryFloat(fn, x, Double.self, parameters)
        case .float16, .bfloat16:
            return try computingHalfInFloat32(x) { try unaryFloat(fn, $0, Float.self, parameters) }
        case .int8: return try unaryInteger(fn, x, Int8.self)
        case .int16: return try unaryInteger(fn, x, Int16.self)
        case .int32: return try unaryInteger(fn, x, Int32.self)
        case .int64: return try unaryInteger(fn, x, Int64.self)
        case .uint8: return try unaryInteger(fn, x, UInt8.self)
        case .uint16: return try unaryInteger(fn, x, UInt16.self)
        case .uint32: return try unaryInteger(fn, x, UInt32.self)
        case .uint64: return try unaryInteger(fn, x, UInt64.self)
        case .bool:
            switch fn {
            case .identity: return x
            case .not: return try mapElements(x, Bool.self, Bool.self) { !$0 }
            default: throw unsupportedUnary(fn, x.dtype)
            }
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            guard fn == .identity else { throw unsupportedUnary(fn, x.dtype) }
            return x
        }
    }

    static func unsupportedUnary(_ fn: UnaryFunction, _ dtype: DType) -> EdgeflowError {
        EdgeflowError(.unsupported, "unary \(fn.rawValue) is not defined for \(dtype.rawValue) tensors")
    }

    /// out[i] = f(x[i]) into a new tensor of dtype `U.dtype`.
    @inline(__always)
    static func mapElements<T: TensorElement, U: TensorElement>(
        _ x: Tensor, _ t: T.Type, _ u: U.Type, _ f: (T) -> U
    ) throws -> Tensor {
        let out = try makeOutput(U.dtype, x.shape, "unary")
        let src = x.elements(T.self), dst = out.mutableElements(U.self)
        for i in 0..<x.count { dst[i] = f(src[i]) }
        return out
    }

    private static func unaryInteger<T: FixedWidthInteger & TensorElement>(
        _ fn: UnaryFunction, _ x: Tensor, _ t: T.Type
    ) throws -> Tensor {
        switch fn {
        case .identity: return x
        case .relu: return try mapElements(x, T.self, T.self) { Swift.max($0, 0) }
        case .neg: return try mapElements(x, T.self, T.self) { 0 &- $0 }
        case .abs: return try mapElements(x, T.self, T.self) { $0 < 0 ? 0 &- $0 : $0 }
        case .sign: return try mapElements(x, T.self, T.self) { $0 > 0 ? 1 : ($0 == 0 ? 0 : 0 &- 1) }
        case .bitwiseNot: return try mapElements(x, T.self, T.self) { ~$0 }
        default: throw unsupportedUnary(fn, x.dtype)
        }
    }

    private static func unaryFloat<T: KernelFloat>(
        _ fn: UnaryFunction, _ x: Tensor, _ t: T.Type, _ p: UnaryParameters
    ) throws -> Tensor {
        let alpha = T(p.alpha), beta = T(p.beta), gamma = T(p.gamma)
        switch fn {
        case .isNaN: return try mapElements(x, T.self, Bool.self) { $0.isNaN }
        case .isInf:
            let positive = p.alpha != 0, negative = p.beta != 0
            return try mapElements(x, T.self, Bool.self) {
                $0.isInfinite && ($0 > 0 ? positive : negative)
            }
        case .identity: return x
        case .not, .bitwiseNot: throw unsupportedUnary(fn, x.dtype)
        default:
            return try applyFloatFunction(fn, x, T.self, alpha, beta, gamma)
        }
    }
}
