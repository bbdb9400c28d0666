// The integer constants of one quantized conv or matMul, computed once at quantization time and
// stored in the graph (never recomputed at load): s8 per-channel weights, the int32 bias
// b_q = rne(b / (s_x·s_w[c])), and the per-channel float32 multipliers (s_x·s_w[c]/s_y for a u8
// output, s_x·s_w[c] for a float output), each computed in double and rounded once to float32.
// It also proves the contract's no-overflow bound |b_q| + K·255·127 < 2^31.

import EFCore

/// The constants of one quantized product.
struct QuantizedLayer {
    let weights: WeightQuantization
    let bias: Tensor?
    /// Products accumulated per output (K).
    let depth: Int

    /// - Parameters:
    ///   - weights: float32 conv [M, C/group, kernel...] (axis 0) or matMul [K, N] (axis 1).
    ///   - bias: nil or float32 [channels].
    ///   - input: the input's u8 quantization.
    /// - Throws: `EdgeflowError.unsupported` with the reason when the layer cannot meet the
    ///   contract (non-finite weights or bias, or an accumulator that could overflow int32).
    init(weights: Tensor, axis: Int, bias: Tensor?, input: ActivationQuantization) throws {
        self.weights = try WeightQuantization(weights: weights, axis: axis)
        let channels = weights.shape[axis]
        depth = axis == 0 ? weights.count / Swift.max(channels, 1) : weights.shape[0]
        let largestProduct = Double(depth) * 255 * 127
        var codes: [Double] = []
        if let bias {
            guard bias.dtype == .float32, bias.count == channels else {
                throw EdgeflowError(.unsupported, "the bias is not float32 [\(channels)]")
            }
            for (c, b) in bias.scalars(as: Float.self).enumerated() {
                guard b.isFinite else { throw EdgeflowError(.unsupported, "bias \(c) is not finite") }
                codes.append((Double(b) / (Double(input.scale) * Double(self.weights.scales[c]))).rounded(.toNearestOrEven))
            }
        }
        let largestBias = codes.map(abs).max() ?? 0
        guard largestBias + largestProduct < 2_147_483_648 else {
            throw EdgeflowError(.unsupported, "an int32 accumulator could overflow (K = \(depth), "
                + "largest |bias| code \(largestBias)); the contract needs |b| + K·255·127 < 2^31")
        }
        self.bias = bias == nil ? nil : Tensor(shape: [channels], scalars: codes.map { Int32($0) })
    }

    /// Multipliers for a u8 output with `output`'s scale, or for a float output when nil.
    /// - Throws: `EdgeflowError.unsupported` when a multiplier is not a positive normal float32.
    func multipliers(input: ActivationQuantization, output: ActivationQuantization?) throws -> Tensor {
        let values = weights.scales.map { sw -> Float in
            let real = Double(input.scale) * Double(sw)
            return Float(output.map { real / Double($0.scale) } ?? real)
        }
        guard values.allSatisfy({ $0.isNormal && $0 > 0 }) else {
            throw EdgeflowError(.unsupported, "a requantization multiplier is not a positive normal float32")
        }
        return Tensor(shape: [values.count], scalars: values)
    }
}
