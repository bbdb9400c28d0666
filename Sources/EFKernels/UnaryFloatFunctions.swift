// The formulas of the floating-point unary functions, following the ONNX operator definitions.

import EFCore

extension Kernels {
    /// The scalar function for `fn` on floats (isNaN, isInf, not, bitwiseNot, identity excluded).
    @inline(__always)
    static func floatFunction<T: KernelFloat>(_ fn: UnaryFunction, _ t: T.Type,
                                              _ alpha: T, _ beta: T, _ gamma: T) -> (T) -> T {
        switch fn {
        case .relu: return { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
        case .sigmoid: return { sigmoid($0) }
        case .tanh: return { T.kTanh($0) }
        case .exp: return { T.kExp($0) }
        case .log: return { T.kLog($0) }
        case .sqrt: return { $0.squareRoot() }
        case .neg: return { -$0 }
        case .abs: return { Swift.abs($0) }
        case .erf: return { T.kErf($0) }
        case .floor: return { $0.rounded(.down) }
        case .ceil: return { $0.rounded(.up) }
        case .round: return { $0.rounded(.toNearestOrEven) }
        case .reciprocal: return { 1 / $0 }
        case .sign: return { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .sin: return { T.kSin($0) }
        case .cos: return { T.kCos($0) }
        case .tan: return { T.kTan($0) }
        case .asin: return { T.kAsin($0) }
        case .acos: return { T.kAcos($0) }
        case .atan: return { T.kAtan($0) }
        case .sinh: return { T.kSinh($0) }
        case .cosh: return { T.kCosh($0) }
        case .asinh: return { T.kAsinh($0) }
        case .acosh: return { T.kAcosh($0) }
        case .atanh: return { T.kAtanh($0) }
        case .softplus: return { softplus($0) }
        case .softsign: return { $0 / (1 + Swift.abs($0)) }
        case .mish: return { $0 * T.kTanh(softplus($0)) }
        case .gelu: return { $0 * (1 + T.kErf($0 * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            let c = T(0.79788456080286535588)  // sqrt(2 / pi)
            return { $0 * (1 + T.kTanh(c * ($0 + T(0.044715) * $0 * $0 * $0))) / 2 }
        case .hardSwish: return { $0 * Swift.max(0, Swift.min(1, $0 / 6 + T(0.5))) }
        case .hardSigmoid: return { Swift.max(0, Swift.min(1, alpha * $0 + beta)) }
        case .leakyRelu: return { $0 < 0 ? alpha * $0 : $0 }
        case .elu: return { $0 < 0 ? alpha * T.kExpm1($0) : $0 }
        case .selu: return { $0 > 0 ? gamma * $0 : gamma * alpha * T.kExpm1($0) }
        case .celu: return { Swift.max(0, $0) + Swift.min(0, alpha * T.kExpm1($0 / alpha)) }
        case .thresholdedRelu: return { $0 > alpha ? $0 : 0 }
        case .identity, .not, .isNaN, .isInf, .bitwiseNot: return { $0 }
        }
    }

    /// 1 / (1 + e^-x), evaluated without overflow for large |x|.
    @inline(__always)
    static func sigmoid<T: KernelFloat>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.kExp(-x)) }
        let e = T.kExp(x)
        return e / (1 + e)
    }

    /// log(1 + e^x), evaluated without overflow for large x.
    @inline(__always)
    static func softplus<T: KernelFloat>(_ x: T) -> T {
        x > 0 ? x + T.kLog1p(T.kExp(-x)) : T.kLog1p(T.kExp(x))
    }
}
