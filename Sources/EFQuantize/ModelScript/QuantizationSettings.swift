// The effective quantization settings of a model script: the defaults, then what the
// optimization level turns on, then the explicit commands, which always win.

/// What the quantizer does, with every default filled in.
///
/// Defaults: `calibsetSize` 64, `batchSize` 8, `range` minmax (`percentile` 99.99 when the range
/// method is percentile), `optimizationLevel` 0. The level decides the algorithms an explicit
/// command does not:
///
/// | level | equalization | bias correction | smooth_quant |
/// |---|---|---|---|
/// | 0 | on | off | off |
/// | 1 | on | on | off |
/// | 2 | on | on | on |
///
/// Equalization applies only where it is exact: chains of convolutions joined by ReLU.
/// The batch size is `model_optimization_config(calibration, batch_size=)` if given, else
/// `model_optimization_flavor(batch_size=)`, else 8.
public struct QuantizationSettings: Equatable, Sendable, Codable {
    public var optimizationLevel: Int
    /// Calibration samples used for statistics.
    public var calibsetSize: Int
    public var batchSize: Int
    public var range: RangeMethod
    /// The percentile of `range == .percentile`, in (50, 100]; nil for the other methods.
    public var percentile: Double?
    /// Cross-layer equalization of ReLU conv chains.
    public var equalization: Bool
    public var biasCorrection: Bool
    public var smoothQuant: Bool
    /// SmoothQuant migration strength in [0, 1].
    public var smoothQuantAlpha: Double

    /// The settings of an empty script.
    public static let defaults = QuantizationSettings(
        optimizationLevel: 0, calibsetSize: 64, batchSize: 8, range: .minmax, percentile: nil,
        equalization: true, biasCorrection: false, smoothQuant: false, smoothQuantAlpha: 0.5)

    /// The default percentile of `range=percentile`.
    public static let defaultPercentile = 99.99

    public init(optimizationLevel: Int, calibsetSize: Int, batchSize: Int, range: RangeMethod, percentile: Double?,
                equalization: Bool, biasCorrection: Bool, smoothQuant: Bool, smoothQuantAlpha: Double) {
        self.optimizationLevel = optimizationLevel
        self.calibsetSize = calibsetSize
        self.batchSize = batchSize
        self.range = range
        self.percentile = percentile
        self.equalization = equalization
        self.biasCorrection = biasCorrection
        self.smoothQuant = smoothQuant
        self.smoothQuantAlpha = smoothQuantAlpha
    }
}

extension ModelScript {
    /// The effective settings: defaults, then the optimization level, then explicit commands.
    public var settings: QuantizationSettings {
        var settings = QuantizationSettings.defaults
        let level = flavor.optimizationLevel ?? 0
        settings.optimizationLevel = level
        settings.biasCorrection = level >= 1
        settings.smoothQuant = level >= 2
        settings.batchSize = calibration.batchSize ?? flavor.batchSize ?? settings.batchSize
        settings.calibsetSize = calibration.calibsetSize ?? settings.calibsetSize
        settings.range = calibration.range ?? settings.range
        if settings.range == .percentile {
            settings.percentile = calibration.percentile ?? QuantizationSettings.defaultPercentile
        }
        if let equalization { settings.equalization = equalization.policy.isEnabled }
        if let biasCorrection { settings.biasCorrection = biasCorrection.policy.isEnabled }
        if let smoothQuant {
            settings.smoothQuant = smoothQuant.policy.isEnabled
            settings.smoothQuantAlpha = smoothQuant.alpha ?? settings.smoothQuantAlpha
        }
        return settings
    }
}
