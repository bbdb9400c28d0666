// What the quantizer decided for each conv and matMul: the precision it runs in, why a layer
// stayed in float, and the quantization of its input and output, as the report and the
// archive's quantization record show them.

import EFCore

/// The precision a layer runs in.
public enum LayerPrecision: String, Codable, Sendable {
    /// u8 activations × s8 weights, int32 accumulation (docs/numerics.md).
    case a8w8 = "a8_w8"
    /// 16-bit activations × s8 weights, run exactly as two u8 × s8 products: the input's u8
    /// codes and the u8 codes of what they leave, 256 times finer (docs/numerics.md).
    case a16w8 = "a16_w8"
    /// float32 products on inputs and weights rounded to bfloat16 (oneDNN's bf16 kernel,
    /// `Node.bfloat16Products`): a float layer of the quantized graph.
    case bf16
    /// float32.
    case float
}

/// The quantizer's decision for one conv or matMul node.
public struct LayerDecision: Codable, Equatable, Sendable {
    /// The node's name (the layer name the model script's globs match).
    public var layer: String
    public var op: String
    public var precision: LayerPrecision
    /// Why the layer stayed in float ("" when quantized).
    public var reason: String
    /// The input's u8 quantization (nil when the layer stayed float); for a16_w8 the coarse one.
    public var input: ActivationQuantization?
    /// The output's u8 quantization when the layer writes u8 (nil for a float output).
    public var output: ActivationQuantization?
    /// Multiply-accumulates per output element (K).
    public var depth: Int

    public init(layer: String, op: String, precision: LayerPrecision, reason: String = "",
                input: ActivationQuantization? = nil, output: ActivationQuantization? = nil, depth: Int = 0) {
        self.layer = layer
        self.op = op
        self.precision = precision
        self.reason = reason
        self.input = input
        self.output = output
        self.depth = depth
    }
}
