// Typed parameters of Edgeflow's own int8 ops (quantizedConv, quantizedMatMul), whose arithmetic
// is the contract in docs/numerics.md: u8 input with a zero point, s8 weights, int32 bias and
// accumulators, then either u8 (requantized, clamped) or float32 (dequantized, activation).

import EFCore
import EFKernels

/// What an int8 product writes.
public enum QuantizedOutput: Equatable, Sendable {
    /// u8 = clamp(rne(Float(acc) · m[c]), lower − zp, upper − zp) + zp; input 3 holds m.
    /// `lower...upper` (within 0...255) carries a fused ReLU/clip in the integer domain.
    case uint8(zeroPoint: Int32, lower: Int32, upper: Int32)
    /// float32 = activation(Float(acc) · s[c]); input 3 holds s = s_x·s_w[c].
    case float32(activation: FusedActivation?)

    /// The output dtype.
    public var dtype: DType {
        if case .uint8 = self { return .uint8 }
        return .float32
    }
}

/// quantizedConv: window, layout, input zero point and output.
public struct QuantizedConvOp: Equatable, Sendable {
    public var window: ConvParameters
    /// x and y are [N, spatial..., C] (weights keep [M, C/group, kernel...]).
    public var channelsLast: Bool
    /// The input's zero point, 0...255.
    public var inputZeroPoint: Int32
    public var output: QuantizedOutput

    public init(window: ConvParameters, channelsLast: Bool, inputZeroPoint: Int32, output: QuantizedOutput) {
        self.window = window
        self.channelsLast = channelsLast
        self.inputZeroPoint = inputZeroPoint
        self.output = output
    }
}

/// quantizedMatMul: input zero point and output.
public struct QuantizedMatMulOp: Equatable, Sendable {
    /// The input's zero point, 0...255.
    public var inputZeroPoint: Int32
    public var output: QuantizedOutput

    public init(inputZeroPoint: Int32, output: QuantizedOutput) {
        self.inputZeroPoint = inputZeroPoint
        self.output = output
    }
}

extension OpParameters {
    static func quantizedOutput(_ a: Attributes) throws -> QuantizedOutput {
        switch try a.requiredString("output") {
        case "uint8":
            return .uint8(zeroPoint: try code(a, "outputZeroPoint", nil), lower: try code(a, "outputLower", 0),
                          upper: try code(a, "outputUpper", 255))
        case "float32":
            return .float32(activation: try activation(a))
        case let other:
            throw EdgeflowError(.invalidModel, "parameter 'output' has an unknown value '\(other)' (uint8 or float32)")
        }
    }

    static func put(_ a: inout Attributes, _ output: QuantizedOutput) {
        switch output {
        case .uint8(let zeroPoint, let lower, let upper):
            a["output"] = .string("uint8")
            a["outputZeroPoint"] = .int(Int(zeroPoint))
            if lower != 0 { a["outputLower"] = .int(Int(lower)) }
            if upper != 255 { a["outputUpper"] = .int(Int(upper)) }
        case .float32(let activation):
            a["output"] = .string("float32")
            put(&a, activation)
        }
    }

    /// A u8 code parameter (required when `absent` is nil), checked to lie in 0...255.
    static func code(_ a: Attributes, _ key: String, _ absent: Int?) throws -> Int32 {
        let value = try absent.map { try int(a, key, $0) } ?? a.requiredInt(key)
        guard (0...255).contains(value) else {
            throw EdgeflowError(.invalidModel, "parameter '\(key)' \(value) is outside 0...255")
        }
        return Int32(value)
    }
}
