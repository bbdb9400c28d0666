// The integer constants of one quantized conv or matMul, computed once at quantization time and
// stored in the graph (never recomputed at load): s8 per-channel weights, the int32 bias
// b_q = rne(b / (s_x·s_w[c])), and the per-channel float32 multipliers (s_x·s_w[c]/s_y for a u8
// output, s_x·s_w[c] for a float output), each computed in double and rounded once to float32.
// It also proves the contract's no-overflow bound |b_q| + K·255·127 < 2^31. With the input's
// per-channel means it applies bias correction: the bias absorbs the mean output shift that
// rounding the weights causes, Σ_k (ŵ − w)[c, k] · E[x_k] (Nagel et al., data-free quantization).
// For a16_w8 it also keeps what rounding the bias left, in the fine product's 256 times smaller
// units (|code| ≤ 128).

import EFCore

/// The constants of one quantized product.
struct QuantizedLayer {
    let weights: WeightQuantization
    let bias: Tensor?
    /// int32 [channels]: rne((b − b_q·s_x·s_w[c]) / (s_x/256·s_w[c])), the bias remainder an
    /// a16_w8 layer's fine product adds (nil without a bias).
    let fineBias: Tensor?
    /// Products accumulated per output (K).
    let depth: Int

    /// - Parameters:
    ///   - weights: float32 conv [M, C/group, kernel...] (axis 0) or matMul [K, N] (axis 1).
    ///   - bias: nil or float32 [channels].
    ///   - input: the input's u8 quantization.
    ///   - inputMeans: the input's per-channel means (conv: C, matMul: K) for bias correction,
    ///     nil for none.
    /// - Throws: `EdgeflowError.unsupported` with the reason when the layer cannot meet the
    ///   contract (non-finite weights or bias, or an accumulator that could overflow int32).
    init(weights: Tensor, axis: Int, bias: Tensor?, input: ActivationQuantization, inputMeans: [Float]? = nil) throws {
        let channels = weights.shape[axis]
        depth = axis == 0 ? weights.count / Swift.max(channels, 1) : weights.shape[0]
        self.weights = try WeightQuantization(weights: weights, axis: axis,
                                              minimumScales: try Self.minimumScales(weights, axis: axis, bias: bias,
                                                                                    input: input, depth: depth))
        var bias = bias
        if let inputMeans {
            let shift = Self.meanShift(weights, self.weights, axis: axis, inputMeans: inputMeans)
            let original = bias?.scalars(as: Float.self) ?? [Float](repeating: 0, count: channels)
            if shift.count == channels, original.count == channels {
                bias = Tensor(shape: [channels], scalars: zip(original, shift).map { Float(Double($0) - $1) })
            }
        }
        let largestProduct = Double(depth) * 255 * 127
        var codes: [Double] = [], fineCodes: [Int32] = []
        if let bias {
            guard bias.dtype == .float32, bias.count == channels else {
                throw EdgeflowError(.unsupported, "the bias is not float32 [\(channels)]")
            }
            for (c, b) in bias.scalars(as: Float.self).enumerated() {
                guard b.isFinite else { throw EdgeflowError(.unsupported, "bias \(c) is not finite") }
                let scale = Double(input.scale) * Double(self.weights.scales[c])
                let code = (Double(b) / scale).rounded(.toNearestOrEven)
                codes.append(code)
                fineCodes.append(Int32(((Double(b) - code * scale) / (scale / 256)).rounded(.toNearestOrEven)))
            }
        }
        let largestBias = codes.map(abs).max() ?? 0
        guard largestBias + largestProduct < 2_147_483_648 else {
            throw EdgeflowError(.unsupported, "an int32 accumulator could overflow (K = \(depth), "
                + "largest |bias| code \(largestBias)); the contract needs |b| + K·255·127 < 2^31")
        }
        self.bias = bias == nil ? nil : Tensor(shape: [channels], scalars: codes.map { Int32($0) })
        fineBias = bias == nil ? nil : Tensor(shape: [channels], scalars: fineCodes)
    }

    /// Weight scales below which a channel is not worth its own precision: 2^-20 of the layer's
    /// largest scale (so every multiplier stays a normal float32), and the scale at which the
    /// channel's bias code uses at most half of the int32 room the products leave. Channels
    /// whose weights BatchNorm folding nearly zeroed need this: their bias dominates the output.
    static func minimumScales(_ weights: Tensor, axis: Int, bias: Tensor?, input: ActivationQuantization,
                              depth: Int) throws -> [Float] {
        let channels = weights.shape[axis], inner = weights.shape[(axis + 1)...].reduce(1, *)
        var largest = [Float](repeating: 0, count: channels)
        for (i, v) in weights.scalars(as: Float.self).enumerated() {
            largest[(i / inner) % channels] = Swift.max(largest[(i / inner) % channels], abs(v))
        }
        let room = (2_147_483_647 - Double(depth) * 255 * 127) / 2
        guard room >= 1 else {
            throw EdgeflowError(.unsupported, "an int32 accumulator could overflow (K = \(depth)); the contract "
                + "needs K·255·127 < 2^31")
        }
        let floor = Double(largest.max() ?? 0) / 127 * 0x1p-20
        let biases = bias?.scalars(as: Float.self) ?? []
        return (0..<channels).map { c in
            let forBias = c < biases.count ? Double(abs(biases[c])) / (Double(input.scale) * room) : 0
            return Float(Swift.max(floor, forBias))
        }
    }

    /// Σ_k (ŵ − w)[c, k] · mean[k] per output channel (empty when the means do not fit).
    static func meanShift(_ w: Tensor, _ q: WeightQuantization, axis: Int, inputMeans: [Float]) -> [Double] {
        let real = w.scalars(as: Float.self), codes = q.values.scalars(as: Int8.self)
        let channels = w.shape[axis]
        var shift = [Double](repeating: 0, count: channels)
        if axis == 1 {
            let k = w.shape[0]
            guard inputMeans.count == k else { return [] }
            for row in 0..<k {
                for c in 0..<channels {
                    let i = row * channels + c
                    shift[c] += (Double(codes[i]) * Double(q.scales[c]) - Double(real[i])) * Double(inputMeans[row])
                }
            }
            return shift
        }
        let perGroup = w.shape[1], kernel = w.shape[2...].reduce(1, *)
        let groups = inputMeans.count / Swift.max(perGroup, 1)
        guard groups > 0, groups * perGroup == inputMeans.count, channels % groups == 0 else { return [] }
        let outPerGroup = channels / groups
        for c in 0..<channels {
            let group = c / outPerGroup
            for ci in 0..<perGroup {
                let mean = Double(inputMeans[group * perGroup + ci])
                let base = (c * perGroup + ci) * kernel
                for j in base..<(base + kernel) {
                    shift[c] += (Double(codes[j]) * Double(q.scales[c]) - Double(real[j])) * mean
                }
            }
        }
        return shift
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
