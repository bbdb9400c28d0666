// The result of the per-layer noise analysis (`edgeflow analyze-noise`): for every int8 layer of
// a quantized graph, the noise it carries at its own output with the whole model in int8
// (accumulated SNR, cosine, bias, range use) and the noise it causes alone at the model outputs
// (sensitivity SNR), with its MACs, most sensitive layer first. Definitions: docs/noise-analysis.md.

import EFCore

/// The noise of one int8 layer.
public struct LayerNoise: Codable, Equatable, Sendable {
    /// The layer's node name (the same in the float and the quantized graph).
    public var layer: String
    /// The float op: "conv" or "matMul".
    public var op: String
    /// Position among the int8 layers in graph order (0-based).
    public var index: Int
    /// The layer's output value in the float graph (where x_fp is read).
    public var value: String
    /// How the int8 layer writes its output: "u8" (codes, dequantized for the comparison) or "float32".
    public var output: String
    /// Multiply-accumulates per run.
    public var macs: Int
    /// 10·log10(Σ y_fp² / Σ (ŷ − y_fp)²) at the model output where it is lowest, with only this
    /// layer in int8, over all samples; capped at ±`NoiseAnalysis.snrCap`.
    public var sensitivitySNR: Double
    /// The model output `sensitivitySNR` was measured at.
    public var sensitivityOutput: String
    /// 10·log10(Σ x_fp² / Σ (x̂ − x_fp)²) at the layer's output with the whole model in int8.
    public var accumulatedSNR: Double
    /// Cosine similarity of x̂ and x_fp per sample: mean and minimum over the samples.
    public var cosineMean: Double
    public var cosineMin: Double
    /// u8 outputs: the fraction of output codes at 0 or 255 (nil for a float32 output).
    public var clipRate: Double?
    /// u8 outputs: the fraction of float values outside the representable range [s·(0−z), s·(255−z)],
    /// i.e. the values the clamp really cut (nil for a float32 output).
    public var saturationRate: Double?
    /// u8 outputs: how many of the 256 codes occurred over all samples (nil for a float32 output).
    public var codesUsed: Int?
    /// The per-channel mean error E[x̂ − x_fp] with the largest magnitude, and its channel.
    public var maxChannelBias: Double
    public var maxBiasChannel: Int
    /// The largest |x̂ − x_fp| over all samples.
    public var maxAbsError: Double
    /// Elements skipped because x̂ or x_fp was NaN or ±∞.
    public var nonFiniteValues: Int
    /// Whether either SNR is below `NoiseAnalysis.flagBelow`.
    public var flagged: Bool
    /// A bounded sample of (x_fp, x̂) pairs for the page's scatter plot.
    public var points: NoisePoints
}

/// Paired values of one layer: `float[i]` is x_fp, `quantized[i]` the same element's x̂.
public struct NoisePoints: Codable, Equatable, Sendable {
    public var float: [Float]
    public var quantized: [Float]

    public init(float: [Float] = [], quantized: [Float] = []) {
        self.float = float
        self.quantized = quantized
    }
}

/// The whole quantized model at one of its float32 outputs.
public struct OutputNoise: Codable, Equatable, Sendable {
    public var name: String
    /// SNR of the whole int8 model against the float model at this output.
    public var snr: Double
    public var cosineMean: Double
    public var cosineMin: Double
}

/// The noise analysis of a quantized model.
public struct NoiseReport: Codable, Equatable, Sendable {
    /// What the model is called on the page (the archive's name).
    public var model: String
    /// Samples every figure is measured on.
    public var samples: Int
    /// Where the samples came from.
    public var dataSource: String
    /// SNRs are clamped to ±this many dB (Hailo's snr_cap).
    public var snrCap: Double
    /// Layers whose sensitivity or accumulated SNR is below this many dB are flagged.
    public var flagBelow: Double
    /// Conv and matMul layers the quantized model keeps in float (not analyzed).
    public var floatLayers: [String]
    /// Layers in a16_w8 (not analyzed per layer: the analysis covers the a8_w8 ones).
    public var wideLayers: [String] = []
    public var outputs: [OutputNoise]
    /// Most sensitive first: ascending sensitivity SNR, then graph order.
    public var layers: [LayerNoise]

    /// The report without the sampled points (for `--json`, which scripts read).
    public var withoutPoints: NoiseReport {
        var copy = self
        for i in copy.layers.indices { copy.layers[i].points = NoisePoints() }
        return copy
    }
}
