// The typed rules a model script holds, one type per command family (docs/model-script.md).
// Every rule remembers its script line so that later errors (an unknown layer) can name it.

/// Numeric format of one layer: activations and weights.
public enum PrecisionMode: String, Equatable, Sendable, Codable, CaseIterable {
    /// u8 activations, s8 per-channel weights (the default of every layer).
    case a8w8 = "a8_w8"
    /// 16-bit activations, s8 weights.
    case a16w8 = "a16_w8"
    /// bfloat16 activations and weights.
    case bf16
    /// The layer stays in float32.
    case float
}

/// `policy=enabled|disabled`.
public enum ScriptPolicy: String, Equatable, Sendable, Codable, CaseIterable {
    case enabled, disabled

    public var isEnabled: Bool { self == .enabled }
}

/// Which layers a rule covers: exact names (a bare name or a `[list]`) or globs (`{conv*, fc?}`).
public struct LayerPattern: Equatable, Sendable, Codable {
    public enum Kind: String, Equatable, Sendable, Codable {
        /// Must equal a layer name.
        case name
        /// `*` matches any run of characters, `?` one character; must match at least one layer.
        case glob
    }

    public var kind: Kind
    public var text: String
    public var location: ScriptLocation

    public init(kind: Kind, text: String, location: ScriptLocation) {
        self.kind = kind
        self.text = text
        self.location = location
    }

    /// Whether `layerName` is covered.
    public func matches(_ layerName: String) -> Bool {
        kind == .name ? layerName == text : Glob.matches(pattern: text, name: layerName)
    }
}

/// `normalization(mean, std[, input_layer])`: `(x − mean[c]) / std[c]` on an input.
public struct NormalizationRule: Equatable, Sendable, Codable {
    /// Names given with `name = normalization(...)`.
    public var results: [String]
    public var mean: [Double]
    /// Every value > 0; as many as `mean`.
    public var std: [Double]
    /// The input it applies to; nil: every input.
    public var inputLayer: String?
    public var line: Int
}

/// Colour or format conversion of an input (the Dataflow Compiler's names): a channel swap, a
/// YUV → RGB/BGR colour conversion (BT.601 limited range, which `yuv_to_…` means, BT.709, or
/// full range), or an NV12/NV21 frame converted with BT.601.
public enum InputConversion: String, Equatable, Sendable, Codable, CaseIterable {
    case rgbToBgr = "rgb_to_bgr"
    case bgrToRgb = "bgr_to_rgb"
    case yuvToRgb = "yuv_to_rgb"
    case yuv601ToRgb = "yuv601_to_rgb"
    case yuv709ToRgb = "yuv709_to_rgb"
    case yuvFullRangeToRgb = "yuv_full_range_to_rgb"
    case yuvToBgr = "yuv_to_bgr"
    case yuv601ToBgr = "yuv601_to_bgr"
    case yuv709ToBgr = "yuv709_to_bgr"
    case yuvFullRangeToBgr = "yuv_full_range_to_bgr"
    case nv12ToRgb = "nv12_to_rgb"
    case nv21ToRgb = "nv21_to_rgb"

    /// True for rgb_to_bgr and bgr_to_rgb.
    public var isChannelSwap: Bool { self == .rgbToBgr || self == .bgrToRgb }
}

/// `input_conversion([input_layer,] conversion[, emulator_support=False])`.
public struct InputConversionRule: Equatable, Sendable, Codable {
    public var results: [String]
    public var conversion: InputConversion
    public var inputLayer: String?
    public var emulatorSupport: Bool
    public var line: Int
}

/// Resampling of `resize`.
public enum ResizeMethod: String, Equatable, Sendable, Codable, CaseIterable {
    case bilinear
    case nearestNeighbor = "nearest_neighbor"
}

/// `resize([layer,] resize_shapes=[H, W], resize_method=bilinear)`.
public struct ResizeRule: Equatable, Sendable, Codable {
    public var results: [String]
    public var height: Int
    public var width: Int
    public var method: ResizeMethod
    public var layer: String?
    public var line: Int
}

/// `preprocessing(recipe=NAME, size=N)` (Edgeflow): the EFMedia recipe that turns calibration
/// photos into tensors.
public struct PreprocessingRule: Equatable, Sendable, Codable {
    /// One of `PreprocessRecipe.presetNames`.
    public var recipe: String
    /// The recipe's main size; nil: the recipe's default.
    public var size: Int?
    public var line: Int
}

/// How activation ranges are estimated from calibration statistics.
public enum RangeMethod: String, Equatable, Sendable, Codable, CaseIterable {
    /// The smallest and largest value seen.
    case minmax
    /// The given percentile of absolute values (`percentile=`, default 99.99).
    case percentile
    /// The range that minimizes the quantization mean squared error.
    case mse
}

/// The `model_optimization_config(calibration, ...)` keys the script set; nil: not set.
public struct CalibrationConfig: Equatable, Sendable, Codable {
    public var batchSize: Int?
    public var calibsetSize: Int?
    public var range: RangeMethod?
    public var percentile: Double?
    /// The line that set `percentile`, for the check that it goes with `range=percentile`.
    public var percentileLine: Int?

    public init() {}
}

/// The `model_optimization_flavor(...)` keys the script set; nil: not set.
public struct OptimizationFlavor: Equatable, Sendable, Codable {
    public var optimizationLevel: Int?
    public var batchSize: Int?

    public init() {}
}

/// `quantization_param(LAYERS, precision_mode=...)`.
public struct PrecisionRule: Equatable, Sendable, Codable {
    public var layers: [LayerPattern]
    public var mode: PrecisionMode
    public var line: Int
}

/// `pre_quantization_optimization(smooth_quant, policy=..., alpha=...)`.
public struct SmoothQuantRule: Equatable, Sendable, Codable {
    public var policy: ScriptPolicy
    /// Migration strength in [0, 1]; nil: 0.5.
    public var alpha: Double?
    public var line: Int
}

/// Modes of activation clipping.
public enum ClippingMode: String, Equatable, Sendable, Codable, CaseIterable {
    /// Clip to the `clipping_values` percentiles of the calibration data.
    case percentile
    /// Clip to the range that minimizes the mean squared error.
    case mse
    /// No clipping (overrides an earlier rule).
    case disabled
}

/// What activation clipping a layer gets.
public struct ActivationClipping: Equatable, Sendable, Codable {
    public var mode: ClippingMode
    /// Lower and upper percentile, 0...100, for `.percentile`; nil otherwise.
    public var percentiles: ClosedRange<Double>?

    public init(mode: ClippingMode, percentiles: ClosedRange<Double>? = nil) {
        self.mode = mode
        self.percentiles = percentiles
    }

    /// No clipping.
    public static let disabled = ActivationClipping(mode: .disabled)
}

/// `pre_quantization_optimization(activation_clipping, layers=..., mode=..., clipping_values=[lo, hi])`.
public struct ActivationClippingRule: Equatable, Sendable, Codable {
    /// nil: every layer.
    public var layers: [LayerPattern]?
    public var clipping: ActivationClipping
    public var line: Int
}

/// A `policy=` setting and the line that set it.
public struct PolicySetting: Equatable, Sendable, Codable {
    public var policy: ScriptPolicy
    public var line: Int

    public init(policy: ScriptPolicy, line: Int) {
        self.policy = policy
        self.line = line
    }
}
