// The formulas of the floating-point unary functions, following the ONNX operator definitions.

import EFCore

extension Kernels {
    /// Applies `fn` to float `x` (isNaN, isInf, not, bitwiseNot and identity are handled by the
    /// caller). Each case passes its formula as a literal closure so the loop is specialised.
    static func applyFloatFunction<T: KernelFloat>(_ fn: UnaryFunction, _ x: Tensor, _ t: T.Type,
                                                   _ alpha: T, _ beta: T, _ gamma: T) throws -> Tensor {
        @inline(__always) func map(_ f: (T) -> T) throws -> Tensor { try mapElements(x, T.self, T.self, f) }
        switch fn {
        case .relu: return try map { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
        case .sigmoid: return try map { sigmoid($0) }
        case .tanh: return try map { T.kTanh($0) }
        case .exp: return try map { T.kExp($0) }
        case .log: return try map { T.kLog($0) }
        case .sqrt: return try map { $0.squareRoot() }
        case .neg: return try map { -$0 }
        case .abs: return try map { Swift.abs($0) }
        case .erf: return try map { T.kErf($0) }
        case .floor: return try map { $0.rounded(.down) }
        case .ceil: return try map { $0.rounded(.up) }
        case .round: return try map { $0.rounded(.toNearestOrEven) }
        case .reciprocal: return try map { 1 / $0 }
        case .sign: return try map { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .sin: return try map { T.kSin($0) }
        case .cos: return try map { T.kCos($0) }
        case .tan: return try map { T.kTan($0) }
        case .asin: return try map { T.kAsin($0) }
        case .acos: return try map { T.kAcos($0) }
        case .atan: return try map { T.kAtan($0) }
        case .sinh: return try map { T.kSinh($0) }
        case .cosh: return try map { T.kCosh($0) }
        case .asinh: return try map { T.kAsinh($0) }
        case .acosh: return try map { T.kAcosh($0) }
        case .atanh: return try map { T.kAtanh($0) }
        case .softplus: return try map { softplus($0) }
        case .softsign: return try map { $0 / (1 + Swift.abs($0)) }
        case .mish: return try map { $0 * T.kTanh(softplus($0)) }
        case .gelu: return try map { $0 * (1 + T.kErf($0 * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            let c = T(0.79788456080286535588)  // sqrt(2 / pi)
            return try map { $0 * (1 + T.kTanh(c * ($0 + T(0.044715) * $0 * $0 * $0))) / 2 }
        case .hardSwish: return try map { $0 * Swift.max(0, Swift.min(1, $0 / 6 + T(0.5))) }
        case .hardSigmoid: return try map { Swift.max(0, Swift.min(1, alpha * $0 + beta)) }
        case .leakyRelu: return try map { $0 < 0 ? alpha * $0 : $0 }
        case .elu: return try map { $0 < 0 ? alpha * T.kExpm1($0) : $0 }
        case .selu: return try map { $0 > 0 ? gamma * $0 : gamma * alpha * T.kExpm1($0) }
        case .celu: return try map { Swift.max(0, $0) + Swift.min(0, alpha * T.kExpm1($0 / alpha)) }
        case .thresholdedRelu: return try map { $0 > alpha ? $0 : 0 }
        case .clip: return try map { $0.isNaN ? $0 : Swift.min(Swift.max($0, alpha), beta) }
        case .identity, .not, .isNaN, .isInf, .bitwiseNot: return x
        }
    }

    /// 1 / (1 + e^-x). For very negative x, e^-x overflows to +inf and the result is exactly 0,
    /// so no branch is needed.
    @inline(__always)
    static func sigmoid<T: KernelFloat>(_ x: T) -> T { 1 / (1 + T.kExp(-x)) }

    /// log(1 + e^x), evaluated without overflow for large x.
    @inline(__always)
    static func softplus<T: KernelFloat>(_ x: T) -> T {
        x > 0 ? x + T.kLog1p(T.kExp(-x)) : T.kLog1p(T.kExp(x))
    }
}
