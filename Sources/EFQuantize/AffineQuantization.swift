// Scale and zero point of Edgeflow's integer formats (docs/numerics.md): activations are u8
// asymmetric per tensor, from a calibrated real range that is widened to contain 0 (so that 0
// is exact, as zero padding needs); weights are s8 symmetric per output channel in [-127, 127].

import EFCore

/// u8 quantization of one activation tensor: real = scale · (q − zeroPoint), q in 0...255.
public struct ActivationQuantization: Codable, Equatable, Sendable {
    public var scale: Float
    /// 0...255.
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The parameters that map [min(0, lower), max(0, upper)] onto 0...255.
    /// - Throws: `EdgeflowError.invalidInput` when a bound is not finite (such a tensor must
    ///   stay in float).
    public init(lower: Float, upper: Float) throws {
        guard lower.isFinite, upper.isFinite, lower <= upper else {
            throw EdgeflowError(.invalidInput, "the calibrated range [\(lower), \(upper)] is not a finite interval",
                                hint: "keep this tensor in float")
        }
        let low = Double(min(0, lower)), high = Double(max(0, upper))
        // An all-zero tensor still needs a positive scale; any value gives exact zeros.
        let span = high - low
        let scale = span > 0 ? Float(span / 255) : 1
        guard scale.isNormal else {
            throw EdgeflowError(.invalidInput, "the calibrated range [\(lower), \(upper)] is too narrow for float32",
                                hint: "keep this tensor in float")
        }
        self.scale = scale
        let zero = (-low / Double(scale)).rounded(.toNearestOrEven)
        self.zeroPoint = Int32(min(max(zero, 0), 255))
    }

    /// The fine plane of an a16_w8 input quantized coarsely with `self`: 1/256 of the scale (exact,
    /// a power of two), zero point 128 (docs/numerics.md).
    var finePlane: ActivationQuantization { ActivationQuantization(scale: scale / 256, zeroPoint: 128) }

    /// The real values the codes 0 and 255 stand for.
    public var representableRange: ClosedRange<Float> {
        scale * Float(0 - zeroPoint)...scale * Float(255 - zeroPoint)
    }
}

/// s8 symmetric per-output-channel weights: real = scale[c] · q, q in −127...127.
public struct WeightQuantization: Sendable {
    /// One positive scale per output channel.
    public var scales: [Float]
    /// The quantized weights, int8, the float weights' shape.
    public var values: Tensor

    /// Quantizes float32 `weights` whose output channel is `axis` (0 for conv [M, C/g, k...],
    /// 1 for matMul [K, N]). A channel's scale is max|w|/127, raised to `minimumScales[c]` when
    /// given; a channel of zeros gets scale 1 (its codes are all 0).
    /// - Throws: `EdgeflowError.invalidInput` for non-float32 or non-finite weights, a bad axis
    ///   or a `minimumScales` of the wrong count.
    public init(weights: Tensor, axis: Int, minimumScales: [Float]? = nil) throws {
        guard weights.dtype == .float32, axis >= 0, axis < weights.rank else {
            throw EdgeflowError(.invalidInput,
                "weights to quantize must be float32 with an output-channel axis, got \(weights.dtype.rawValue) "
                + "\(weights.shape.shapeDescription) and axis \(axis)")
        }
        let w = weights.scalars(as: Float.self)
        let channels = weights.shape[axis], inner = weights.shape[(axis + 1)...].reduce(1, *)
        var largest = [Float](repeating: 0, count: channels)
        for (i, v) in w.enumerated() {
            guard v.isFinite else {
                throw EdgeflowError(.invalidInput, "the weights hold a non-finite value at flat index \(i)")
            }
            let c = (i / inner) % channels
            largest[c] = max(largest[c], abs(v))
        }
        guard minimumScales == nil || minimumScales?.count == channels else {
            throw EdgeflowError(.invalidInput, "need \(channels) minimum weight scales")
        }
        scales = largest.enumerated().map { c, value in
            guard value > 0 else { return 1 }
            return max(Float(Double(value) / 127), minimumScales?[c] ?? 0)
        }
        let scales = self.scales
        let q = w.enumerated().map { i, v -> Int8 in
            let code = (v / scales[(i / inner) % channels]).rounded(.toNearestOrEven)
            return Int8(min(max(code, -127), 127))
        }
        values = Tensor(shape: weights.shape, scalars: q)
    }

    /// Equal scales and bitwise-equal codes (`Tensor` itself is not `Equatable`).
    public static func == (lhs: WeightQuantization, rhs: WeightQuantization) -> Bool {
        lhs.scales == rhs.scales && lhs.values.isBitwiseEqual(to: rhs.values)
    }
}
