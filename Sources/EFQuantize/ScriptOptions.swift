// What a model script asks of the quantizer, as QuantizerOptions: the layers it keeps out of
// int8, the range estimator and the algorithms its settings enable; and, as notes, what the
// script asks that this release does not do yet (said, never silently ignored).

import EFCore
import EFIR

extension QuantizerOptions {
    /// The options `script` gives for `graph` (an fp-optimized graph: its node names are the
    /// layers the script's names and globs match).
    /// - Returns: the options, the calibration sample count, and notes on requests not applied.
    /// - Throws: `EdgeflowError.invalidInput` for a layer name or glob that matches nothing (with
    ///   the nearest name) and for settings that cannot be honoured (range=percentile, mse).
    public static func from(_ script: ModelScript, graph: Graph) throws
        -> (options: QuantizerOptions, calibsetSize: Int, notes: [String]) {
        let settings = script.settings
        let layers = graph.nodes.map(\.name)
        let precisions = try script.precisions(layerNames: layers)
        var options = QuantizerOptions(biasCorrection: settings.biasCorrection)
        var notes: [String] = []
        var approximated: [String] = []
        for node in graph.nodes where node.op == .conv || node.op == .matMul {
            switch precisions[node.name] ?? .a8w8 {
            case .a8w8: break
            case .float: options.floatLayers.insert(node.name)
            case .a16w8, .bf16:
                options.floatLayers.insert(node.name)
                approximated.append(node.name)
            }
        }
        if !approximated.isEmpty {
            notes.append("a16_w8 and bf16 are not implemented yet: \(approximated.count) layer(s) run in float32 "
                + "instead (" + approximated.prefix(4).joined(separator: ", ") + (approximated.count > 4 ? ", …" : "")
                + ")")
        }
        switch settings.range {
        case .minmax: options.estimator = .meanMinMax
        case .percentile, .mse:
            throw EdgeflowError(.unsupported,
                "\(script.fileName): range=\(settings.range.rawValue) is not implemented yet",
                hint: "use range=minmax (the mean over samples of each sample's min and max)")
        }
        if settings.equalization { notes.append("equalization is not implemented yet: not applied") }
        if settings.smoothQuant { notes.append("smooth_quant is not implemented yet: not applied") }
        if !script.activationClippingRules.isEmpty {
            notes.append("activation_clipping is not implemented yet: not applied")
        }
        if !script.inputConversions.isEmpty || !script.resizes.isEmpty {
            notes.append("input_conversion and resize are recorded but not applied to the graph yet")
        }
        return (options, settings.calibsetSize, notes)
    }
}
