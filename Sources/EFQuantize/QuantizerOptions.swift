// What the quantizer is asked to do (QuantizerOptions: range estimators, layers kept in float,
// the algorithms to apply) and what it reports having done (QuantizationReport).

import EFCore

/// How to quantize.
public struct QuantizerOptions {
    /// The range estimator of every activation a per-layer rule does not cover.
    public var estimator: RangeEstimator
    /// Range estimators of the outputs of single layers (node names), the model script's
    /// `activation_clipping` rules; they win over `estimator`.
    public var outputEstimators: [String: RangeEstimator] = [:]
    /// Layers (node names) the model script keeps in float.
    public var floatLayers: Set<String>
    /// Layers (node names) of `floatLayers` whose products run in bfloat16 when compiled
    /// (`precision_mode=bf16`; `Node.bfloat16Products`).
    public var bfloat16Layers: Set<String> = []
    /// Layers (node names) the model script runs as a16_w8.
    public var wideLayers: Set<String> = []
    /// Bias correction from the inputs' per-channel means (off by default, as optimization level
    /// 0 of the model script; `post_quantization_optimization(bias_correction, policy=enabled)`).
    public var biasCorrection: Bool
    /// Cross-layer equalization of conv → (ReLU) → conv pairs before calibration
    /// (`CrossLayerEqualization`). Off in this initializer; the model script turns it on at
    /// every optimization level unless `pre_quantization_optimization(equalization, ...)` says
    /// otherwise.
    public var equalization: Bool = false
    /// SmoothQuant of LayerNorm → matMul sites (`SmoothQuant`), with a calibration pass of its own.
    public var smoothQuant: Bool = false
    /// SmoothQuant's migration strength in [0, 1].
    public var smoothQuantAlpha: Double = 0.5
    /// Mixed precision: keep the outputs' mean cosine to the float model at or above this on
    /// held-back samples (a quarter of the set, at least one) by promoting the most sensitive
    /// layers (to the first of `promotions` that suffices, else float); nil quantizes every
    /// eligible layer.
    public var targetCosine: Double?
    /// What the sensitivity search may promote a layer to, tried in this order (a16_w8, bf16;
    /// float ends the list and is the last resort). bf16 layers compile only on CPUs with bf16
    /// kernels (the search itself measures them on any CPU: `BFloat16Simulation`).
    public var promotions: [LayerPrecision] = [.a16w8, .float]
    /// After a search that promoted layers, time the int8 graph and the mixed one on this CPU
    /// (`SensitivityResult.speedCost`; a second or two for a large model).
    public var measureSpeedCost = false
    /// Called after each calibration sample with (done, total), once per calibration pass.
    public var progress: ((Int, Int) -> Void)?
    /// Called with a line per step of the sensitivity search.
    public var searchProgress: ((String) -> Void)?

    public init(estimator: RangeEstimator = .meanMinMax, floatLayers: Set<String> = [], biasCorrection: Bool = false,
                targetCosine: Double? = nil, progress: ((Int, Int) -> Void)? = nil) {
        self.targetCosine = targetCosine
        self.estimator = estimator
        self.floatLayers = floatLayers
        self.biasCorrection = biasCorrection
        self.progress = progress
    }
}

/// The algorithms a quantization applied.
public struct AppliedAlgorithms: Codable, Equatable, Sendable {
    /// The default range estimator ("mean-minmax", "minmax", "percentile 0.01/99.99", "mse").
    public var rangeEstimator: String
    /// Values whose range a per-layer clipping rule chose with an estimator other than the
    /// default, with that estimator's name.
    public var clippedValues: [String: String] = [:]
    /// Conv pairs cross-layer equalization rescaled (empty when off or nothing was eligible).
    public var equalizedPairs: [EqualizedPair] = []
    /// matMuls SmoothQuant rescaled (empty when off or nothing was eligible).
    public var smoothedMatMuls: [String] = []
    /// SmoothQuant's α when it ran.
    public var smoothQuantAlpha: Double?
    /// Whether bias correction ran.
    public var biasCorrection = false

    public init(rangeEstimator: String) { self.rangeEstimator = rangeEstimator }
}

/// What the quantizer did.
public struct QuantizationReport: Codable, Equatable, Sendable {
    /// The metadata key of a quantized graph (and archive) that holds this report as JSON.
    public static let metadataKey = "edgeflow.quantization.report"

    /// One decision per conv and matMul, in graph order.
    public var layers: [LayerDecision]
    /// Calibration samples used.
    public var samples: Int
    /// Values whose calibrated range was not finite (never quantized).
    public var nonFiniteValues: [String]
    /// The mixed-precision search, when a target was given.
    public var sensitivity: SensitivityResult?
    /// The algorithms applied and what they changed.
    public var algorithms: AppliedAlgorithms

    /// Layers in a8_w8.
    public var quantizedCount: Int { layers.filter { $0.precision == .a8w8 }.count }
    /// Layers in a16_w8.
    public var wideCount: Int { layers.filter { $0.precision == .a16w8 }.count }
    /// Layers in bf16.
    public var bfloat16Count: Int { layers.filter { $0.precision == .bf16 }.count }
}
