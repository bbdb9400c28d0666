// Fast unary float32 kernels: activations and math functions over a buffer, 8 lanes at a
// time, in parallel chunks. Formulas follow `Kernels.applyFloatFunction` (ONNX definitions).

import EFCore

extension FastKernels {
    /// True when `unary` implements `fn`.
    public static func supportsUnary(_ fn: UnaryFunction) -> Bool {
        switch fn {
        case .identity, .relu, .leakyRelu, .clip, .sigmoid, .tanh, .exp, .erf, .gelu, .geluTanh, .hardSwish,
             .hardSigmoid, .elu, .neg, .abs, .sqrt, .reciprocal, .softplus:
            return true
        default:
            return false
        }
    }

    /// output[i] = fn(input[i]) for i in 0..<count (float32). `output` may equal `input`.
    /// Parameters as `Kernels.unary`: leakyRelu/elu use `alpha`; clip clamps to [alpha, beta];
    /// hardSigmoid is max(0, min(1, alpha·x + beta)).
    ///
    /// Bit-identical to `Kernels.unary` for identity, relu, leakyRelu, clip, neg, abs, sqrt,
    /// reciprocal, hardSwish, hardSigmoid (NaN and ±0 behaviour included). The others use the
    /// polynomial approximations of FastMath; against the reference over a dense sweep of
    /// [-20, 20] plus ±0, ±1e-30, ±1e±3.., ±100, ±1e30, ±inf (FastUnaryTests) the error is at most
    /// 2e-7·max(1, |y|) (exp, sigmoid, tanh, erf, softplus, gelu, geluTanh) and
    /// 2e-7·max(1, |alpha|) for elu; NaN maps to NaN; exp returns 0 below x ≈ -103.9 where
    /// libm still gives subnormals (absolute error < 1e-44).
    /// - Throws: `EdgeflowError.unsupported` when `supportsUnary(fn)` is false.
    public static func unary(_ fn: UnaryFunction, _ parameters: UnaryParameters = UnaryParameters(),
                             input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) throws {
        let alpha = FloatVector(repeating: parameters.alpha), beta = FloatVector(repeating: parameters.beta)
        let zero = FloatVector(repeating: 0), one = FloatVector(repeating: 1)
        switch fn {
        case .identity:
            if UnsafePointer(output) != input { output.update(from: input, count: count) }
        case .relu: map(input, output, count) { $0.replacing(with: 0, where: $0 .<= 0) }
        case .leakyRelu: map(input, output, count) { $0.replacing(with: alpha * $0, where: $0 .< 0) }
        case .clip:
            map(input, output, count) { x in
                let low = x.replacing(with: alpha, where: x .< alpha)
                return low.replacing(with: beta, where: low .> beta)
            }
        case .neg: map(input, output, count) { floats(bits($0) ^ SIMD8(repeating: Int32(bitPattern: 0x8000_0000))) }
        case .abs: map(input, output, count) { magnitude($0) }
        case .sqrt: map(input, output, count) { $0.squareRoot() }
        case .reciprocal: map(input, output, count) { 1 / $0 }
        case .hardSwish: map(input, output, count) { $0 * swiftMax(zero, swiftMin(one, $0 / 6 + 0.5)) }
        case .hardSigmoid: map(input, output, count) { swiftMax(zero, swiftMin(one, alpha * $0 + beta)) }
        case .exp: map(input, output, count) { exp($0) }
        case .sigmoid: map(input, output, count) { 1 / (1 + exp(-$0)) }
        case .tanh: map(input, output, count) { tanh($0) }
        case .erf: map(input, output, count) { erf($0) }
        case .gelu: map(input, output, count) { $0 * (1 + erf($0 * 0.707_106_781_186_547_52)) / 2 }
        case .geluTanh:
            map(input, output, count) { x in
                x * (1 + tanh(0.797_884_560_802_865_36 * (x + 0.044715 * x * x * x))) / 2
            }
        case .elu: map(input, output, count) { $0.replacing(with: alpha * (exp($0) - 1), where: $0 .< 0) }
        case .softplus: map(input, output, count) { swiftMax($0, zero) + log1pUnit(exp(-magnitude($0))) }
        default:
            throw EdgeflowError(.unsupported, "FastKernels.unary does not implement \(fn.rawValue)",
                                hint: "check FastKernels.supportsUnary first and use Kernels.unary otherwise")
        }
    }
}
