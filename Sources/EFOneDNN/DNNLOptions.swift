// The plain Swift options shared by the oneDNN kernels: activation layout, float precision,
// and the fused epilogue (residual sum, then an activation) with the mapping from Edgeflow's
// unary fn names to what oneDNN can fuse.

/// Physical layout of activations (source, destination, residual).
public enum DNNLLayout: Sendable, Equatable {
    /// Channels first: [N, C, spatial...] contiguous (ncw, nchw, ncdhw).
    case nchw
    /// Channels last: N, spatial..., C innermost (nwc, nhwc, ndhwc); the logical shape stays [N, C, spatial...].
    case nhwc
}

/// Arithmetic precision of a float kernel.
public enum DNNLPrecision: Sendable, Equatable {
    /// float32 throughout.
    case f32
    /// Weights packed as bfloat16 and the float32 source converted to bfloat16 on every call;
    /// products accumulate in float32 and the destination is float32. Each operand keeps 8
    /// significant bits, so results carry a relative error of about 2^-8 per product (in
    /// tests: within 1e-2 of the output magnitude for reductions of a few hundred terms).
    case bf16
}

/// An activation oneDNN applies in the kernel's epilogue, with the semantics of Edgeflow's
/// unary fn of the same name.
public enum DNNLActivation: Sendable, Equatable {
    case relu
    /// x < 0 ? alpha·x : x.
    case leakyRelu(alpha: Float)
    /// min(max(x, lower), upper).
    case clip(lower: Float, upper: Float)
    case sigmoid
    case tanh
    /// x·(1 + erf(x/√2))/2.
    case gelu
    /// The tanh approximation of gelu.
    case geluTanh
    /// x·max(0, min(1, x/6 + 1/2)).
    case hardSwish
    /// max(0, min(1, alpha·x + beta)).
    case hardSigmoid(alpha: Float, beta: Float)
    /// x < 0 ? alpha·(eˣ − 1) : x.
    case elu(alpha: Float)

    /// The activation for a unary fn name of the IR (`relu`, `leakyRelu`, `clip` with alpha =
    /// lower and beta = upper, `sigmoid`, `tanh`, `gelu`, `geluTanh`, `hardSwish`,
    /// `hardSigmoid`, `elu`), or nil when oneDNN cannot fuse that fn.
    public init?(unaryName: String, alpha: Float = 0, beta: Float = 0) {
        switch unaryName {
        case "relu": self = .relu
        case "leakyRelu": self = .leakyRelu(alpha: alpha)
        case "clip": self = .clip(lower: alpha, upper: beta)
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "gelu": self = .gelu
        case "geluTanh": self = .geluTanh
        case "hardSwish": self = .hardSwish
        case "hardSigmoid": self = .hardSigmoid(alpha: alpha, beta: beta)
        case "elu": self = .elu(alpha: alpha)
        default: return nil
        }
    }
}

/// What a kernel does after the product, in this order: y = activation(product + bias + residual).
public struct DNNLEpilogue: Sendable, Equatable {
    /// When true, the destination buffer holds the residual (shaped and laid out like the
    /// output) when `execute` is called, and the result is added to it before the activation.
    public var residualSum: Bool
    public var activation: DNNLActivation?

    public init(residualSum: Bool = false, activation: DNNLActivation? = nil) {
        self.residualSum = residualSum
        self.activation = activation
    }
}
