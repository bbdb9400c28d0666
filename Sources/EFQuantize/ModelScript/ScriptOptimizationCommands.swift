// The optimization commands of a model script: model_optimization_config(calibration, ...),
// model_optimization_flavor, quantization_param, pre_quantization_optimization (equalization,
// smooth_quant, activation_clipping) and post_quantization_optimization(bias_correction).

import EFCore

/// Ranges of the optimization keys (docs/model-script.md).
public enum ScriptRanges {
    public static let batchSize = 1...1024
    public static let calibsetSize = 1...100_000
    public static let optimizationLevel = 0...2
    /// `percentile` must be in (50, 100].
    public static func isValidPercentile(_ value: Double) -> Bool { value > 50 && value <= 100 }
    /// `alpha` must be in [0, 1].
    public static func isValidAlpha(_ value: Double) -> Bool { value >= 0 && value <= 1 }
}

extension ScriptBuilder {
    /// The section or feature named by the first positional argument of `call`.
    private func feature(of call: ScriptCall) throws -> String {
        let valid = ScriptCommandTable.features[call.name] ?? []
        guard let first = call.arguments.first, first.key == nil, case .identifier(let name) = first.value else {
            throw diagnostics.error(at: call.location, "\(call.name) needs a \(sectionWord(call)) first",
                                    hint: "one of " + valid.joined(separator: ", "))
        }
        if ScriptCommandTable.hailoFeatures[call.name]?.contains(name) == true {
            throw diagnostics.error(at: first.location, "'\(name)' of \(call.name) is a Dataflow Compiler "
                                        + "\(sectionWord(call)) that Edgeflow does not support yet",
                                    hint: "supported: " + valid.joined(separator: ", "))
        }
        guard valid.contains(name) else {
            throw diagnostics.unknown(sectionWord(call), name, at: first.location, candidates: valid,
                                      context: " of \(call.name)")
        }
        return name
    }

    private func sectionWord(_ call: ScriptCall) -> String {
        call.name == "model_optimization_config" ? "section" : "feature"
    }

    private func featureArguments(_ call: ScriptCall, feature: String) throws -> ScriptArguments {
        let arguments = try ScriptArguments(call, context: "\(call.name)(\(feature))", skipFirst: true,
                                            diagnostics: diagnostics)
        try arguments.expectPositional(atMost: 0, usage: "\(call.name)(\(feature), key=value, ...)")
        return arguments
    }

    /// `model_optimization_config(calibration, batch_size=, calibset_size=, range=, percentile=)`.
    func calibration(_ call: ScriptCall, into config: inout CalibrationConfig) throws {
        let arguments = try featureArguments(call, feature: try feature(of: call))
        if let value = try arguments.int("batch_size", in: ScriptRanges.batchSize) { config.batchSize = value }
        if let value = try arguments.int("calibset_size", in: ScriptRanges.calibsetSize) {
            config.calibsetSize = value
        }
        if let value = try arguments.choice("range", RangeMethod.self) { config.range = value }
        if let value = try arguments.double("percentile", rangeText: "(50, 100]",
                                            isValid: ScriptRanges.isValidPercentile) {
            config.percentile = value
            config.percentileLine = call.location.line
        }
    }

    /// `model_optimization_flavor(optimization_level=0|1|2, batch_size=N)`.
    func flavor(_ call: ScriptCall, into flavor: inout OptimizationFlavor) throws {
        let arguments = try ScriptArguments(call, context: "model_optimization_flavor", diagnostics: diagnostics)
        try arguments.expectPositional(atMost: 0, usage: "model_optimization_flavor(optimization_level=1)")
        if let value = try arguments.int("optimization_level", in: ScriptRanges.optimizationLevel) {
            flavor.optimizationLevel = value
        }
        if let value = try arguments.int("batch_size", in: ScriptRanges.batchSize) { flavor.batchSize = value }
    }

    /// `quantization_param(LAYERS, precision_mode=a8_w8|a16_w8|bf16|float)`.
    func precision(_ call: ScriptCall) throws -> PrecisionRule {
        let arguments = try ScriptArguments(call, context: "quantization_param", diagnostics: diagnostics)
        let usage = "quantization_param({conv*}, precision_mode=a16_w8)"
        try arguments.expectPositional(atMost: 1, usage: usage)
        guard let layers = arguments.positional.first else {
            throw diagnostics.error(at: call.location, "quantization_param needs the layers first",
                                    hint: "write \(usage)")
        }
        guard let mode = arguments.argument("precision_mode") else {
            throw diagnostics.error(at: call.location, "quantization_param needs precision_mode=",
                                    hint: "one of " + PrecisionMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if case .identifier(let word) = mode.value, ScriptCommandTable.hailoPrecisionModes.contains(word) {
            throw diagnostics.error(at: mode.location, "precision_mode \(word) is a Dataflow Compiler mode that "
                                        + "Edgeflow has no kernels for yet",
                                    hint: "one of " + PrecisionMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return PrecisionRule(layers: try arguments.layers(layers), mode: try arguments.choice(mode, PrecisionMode.self),
                             line: call.location.line)
    }

    /// `pre_quantization_optimization(equalization|smooth_quant|activation_clipping, ...)`.
    func preQuantization(_ call: ScriptCall, into script: inout ModelScript) throws {
        let name = try feature(of: call)
        let arguments = try featureArguments(call, feature: name)
        let line = call.location.line
        switch name {
        case "equalization":
            script.equalization = PolicySetting(policy: try policy(arguments, call), line: line)
        case "smooth_quant":
            let alpha = try arguments.double("alpha", rangeText: "[0, 1]", isValid: ScriptRanges.isValidAlpha)
            script.smoothQuant = SmoothQuantRule(policy: try policy(arguments, call), alpha: alpha, line: line)
        default:
            script.activationClippingRules.append(try activationClipping(arguments, call))
        }
    }

    /// `post_quantization_optimization(bias_correction, policy=enabled|disabled)`.
    func biasCorrection(_ call: ScriptCall) throws -> PolicySetting {
        let arguments = try featureArguments(call, feature: try feature(of: call))
        return PolicySetting(policy: try policy(arguments, call), line: call.location.line)
    }

    private func policy(_ arguments: ScriptArguments, _ call: ScriptCall) throws -> ScriptPolicy {
        guard let policy = try arguments.choice("policy", ScriptPolicy.self) else {
            throw diagnostics.error(at: call.location, "\(arguments.context) needs policy=enabled or policy=disabled")
        }
        return policy
    }

    private func activationClipping(_ arguments: ScriptArguments, _ call: ScriptCall) throws
        -> ActivationClippingRule {
        guard let mode = try arguments.choice("mode", ClippingMode.self) else {
            throw diagnostics.error(at: call.location, "\(arguments.context) needs mode=percentile, mse or disabled")
        }
        let layers = try arguments.argument("layers").map { try arguments.layers($0) }
        var percentiles: ClosedRange<Double>?
        let values = arguments.argument("clipping_values")
        switch (mode, values) {
        case (.percentile, let values?):
            let bounds = try arguments.numbers(values, count: 2...2)
            guard bounds[0] >= 0, bounds[1] <= 100, bounds[0] < bounds[1] else {
                throw arguments.invalid(values, "[lower, upper] percentiles with 0 <= lower < upper <= 100")
            }
            percentiles = bounds[0]...bounds[1]
        case (.percentile, nil):
            throw diagnostics.error(at: call.location, "mode=percentile needs clipping_values=[lower, upper]",
                                    hint: "e.g. clipping_values=[0.01, 99.99]")
        case (_, let values?):
            throw diagnostics.error(at: values.location, "clipping_values apply only with mode=percentile")
        case (_, nil):
            break
        }
        let clipping = ActivationClipping(mode: mode, percentiles: percentiles)
        return ActivationClippingRule(layers: layers, clipping: clipping,
                                      line: call.location.line)
    }
}
