// What a model script asks of the quantizer, as QuantizerOptions: the layers it keeps out of
// int8, the range estimator (and the per-layer ones of activation_clipping rules) and the
// algorithms its settings enable (equalization, smooth_quant, bias correction); and, as notes,
// what the script asks that this release does not do (said, never silently ignored; none now).

import EFCore
import EFIR

extension QuantizerOptions {
    /// The options `script` gives for `graph` (an fp-optimized graph: its node names are the
    /// layers the script's names and globs match).
    /// - Returns: the options, the calibration sample count, and notes on requests not applied.
    /// - Throws: `EdgeflowError.invalidInput` for a layer name or glob that matches nothing (with
    ///   the nearest name).
    public static func from(_ script: ModelScript, graph: Graph) throws
        -> (options: QuantizerOptions, calibsetSize: Int, notes: [String]) {
        let settings = script.settings
        let layers = graph.nodes.map(\.name)
        let precisions = try script.precisions(layerNames: layers)
        var options = QuantizerOptions(biasCorrection: settings.biasCorrection)
        let notes: [String] = []
        for node in graph.nodes where node.op == .conv || node.op == .matMul {
            switch precisions[node.name] ?? .a8w8 {
            case .a8w8: break
            case .float: options.floatLayers.insert(node.name)
            case .a16w8: options.wideLayers.insert(node.name)
            case .bf16:
                options.floatLayers.insert(node.name)
                options.bfloat16Layers.insert(node.name)
            }
        }
        switch settings.range {
        case .minmax: options.estimator = .meanMinMax
        case .percentile:
            options.estimator = .symmetricPercentile(settings.percentile ?? QuantizationSettings.defaultPercentile)
        case .mse: options.estimator = .mse
        }
        for (layer, clipping) in try script.activationClipping(layerNames: layers) {
            switch clipping.mode {
            case .disabled: break
            case .mse: options.outputEstimators[layer] = .mse
            case .percentile:
                let tails = clipping.percentiles
                    ?? (100 - QuantizationSettings.defaultPercentile)...QuantizationSettings.defaultPercentile
                options.outputEstimators[layer] = .percentile(lower: tails.lowerBound, upper: tails.upperBound)
            }
        }
        options.equalization = settings.equalization
        options.smoothQuant = settings.smoothQuant
        options.smoothQuantAlpha = settings.smoothQuantAlpha
        return (options, settings.calibsetSize, notes)
    }
}
