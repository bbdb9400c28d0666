// Turns parsed calls into ModelScript's typed rules: the dispatch by command name (unknown and
// unsupported names refused with the nearest valid one), result names, and the input commands
// (normalization, input_conversion, resize, preprocessing).

import EFCore
import EFMedia

/// Applies calls one by one to a ModelScript.
struct ScriptBuilder {
    let diagnostics: ScriptDiagnostics

    /// Largest side of `resize_shapes`.
    static let maxSide = 16_384
    /// Largest `preprocessing(size=)`, as `edgeflow preprocess --size`.
    static let maxRecipeSize = 8_192

    mutating func apply(_ call: ScriptCall, to script: inout ModelScript) throws {
        guard ScriptCommandTable.commands.contains(call.name) else {
            if ScriptCommandTable.hailoCommands.contains(call.name) {
                throw diagnostics.error(at: call.location, "'\(call.name)' is a Dataflow Compiler command that "
                                            + "Edgeflow does not support yet",
                                        hint: "see docs/model-script.md for the supported commands")
            }
            throw diagnostics.unknown("command", call.name, at: call.location,
                                      candidates: ScriptCommandTable.commands)
        }
        if !call.results.isEmpty, !ScriptCommandTable.layerCreating.contains(call.name) {
            throw diagnostics.error(at: call.location, "'\(call.name)' creates no layer, so it takes no result names",
                                    hint: "remove '\(call.results.joined(separator: ", ")) ='")
        }
        switch call.name {
        case "normalization": script.normalizations.append(try normalization(call))
        case "input_conversion": script.inputConversions.append(try inputConversion(call))
        case "resize": script.resizes.append(try resize(call))
        case "preprocessing": script.preprocessing = try preprocessing(call)
        case "model_optimization_config": try calibration(call, into: &script.calibration)
        case "model_optimization_flavor": try flavor(call, into: &script.flavor)
        case "quantization_param": script.precisionRules.append(try precision(call))
        case "pre_quantization_optimization": try preQuantization(call, into: &script)
        default: script.biasCorrection = try biasCorrection(call)
        }
    }

    /// Checks that need the whole script.
    func finish(_ script: inout ModelScript) throws {
        if let line = script.calibration.percentileLine, script.calibration.range != .percentile {
            throw diagnostics.error(line: line, "'percentile' is set but the calibration range method is "
                                        + (script.calibration.range ?? .minmax).rawValue,
                                    hint: "add range=percentile to model_optimization_config(calibration, ...)")
        }
    }

    /// `normalization(mean_list, std_list[, input_layer])`.
    private func normalization(_ call: ScriptCall) throws -> NormalizationRule {
        let arguments = try ScriptArguments(call, context: "normalization", diagnostics: diagnostics)
        let usage = "normalization([mean, ...], [std, ...][, input_layer])"
        try arguments.expectPositional(atMost: 3, usage: usage)
        guard arguments.positional.count >= 2 else {
            throw diagnostics.error(at: call.location, "normalization needs a mean list and a std list",
                                    hint: "write \(usage)")
        }
        let listCount = 1...ScriptLimits.maxListLength
        let mean = try arguments.numbers(arguments.positional[0], count: listCount)
        let std = try arguments.numbers(arguments.positional[1], count: listCount)
        guard mean.count == std.count else {
            throw diagnostics.error(at: arguments.positional[1].location, "normalization has \(mean.count) "
                                        + "mean values but \(std.count) std values",
                                    hint: "give one mean and one std per channel")
        }
        if let bad = std.first(where: { !($0 > 0) }) {
            throw diagnostics.error(at: arguments.positional[1].location,
                                    "normalization std values must be > 0, found \(bad)")
        }
        let layer = try arguments.positional.count > 2 ? arguments.layerName(arguments.positional[2]) : nil
        return NormalizationRule(results: call.results, mean: mean, std: std, inputLayer: layer,
                                 line: call.location.line)
    }

    /// `input_conversion([input_layer,] conversion[, emulator_support=False])`.
    private func inputConversion(_ call: ScriptCall) throws -> InputConversionRule {
        let arguments = try ScriptArguments(call, context: "input_conversion", diagnostics: diagnostics)
        try arguments.expectPositional(atMost: 2, usage: "input_conversion([input_layer,] rgb_to_bgr)")
        guard let last = arguments.positional.last else {
            throw diagnostics.error(at: call.location, "input_conversion needs a conversion",
                                    hint: "one of " + InputConversion.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let conversion = try arguments.choice(last, InputConversion.self)
        let layer = try arguments.positional.count == 2 ? arguments.layerName(arguments.positional[0]) : nil
        return InputConversionRule(results: call.results, conversion: conversion, inputLayer: layer,
                                   emulatorSupport: try arguments.bool("emulator_support") ?? false,
                                   line: call.location.line)
    }

    /// `resize([layer,] resize_shapes=[H, W], resize_method=bilinear|nearest_neighbor)`.
    private func resize(_ call: ScriptCall) throws -> ResizeRule {
        let arguments = try ScriptArguments(call, context: "resize", diagnostics: diagnostics)
        try arguments.expectPositional(atMost: 1, usage: "resize([layer,] resize_shapes=[H, W])")
        guard let shapes = arguments.argument("resize_shapes") else {
            throw diagnostics.error(at: call.location, "resize needs resize_shapes=[height, width]")
        }
        let sides = try arguments.numbers(shapes, count: 2...2)
        guard sides.allSatisfy({ $0 >= 1 && $0 <= Double(Self.maxSide) && $0.rounded() == $0 }) else {
            throw arguments.invalid(shapes, "[height, width] with integer sides in 1...\(Self.maxSide)")
        }
        let layer = try arguments.positional.first.map { try arguments.layerName($0) }
        return ResizeRule(results: call.results, height: Int(sides[0]), width: Int(sides[1]),
                          method: try arguments.choice("resize_method", ResizeMethod.self) ?? .bilinear,
                          layer: layer, line: call.location.line)
    }

    /// `preprocessing(recipe=NAME[, size=N])`, the EFMedia recipe for calibration photos.
    private func preprocessing(_ call: ScriptCall) throws -> PreprocessingRule {
        let arguments = try ScriptArguments(call, context: "preprocessing", diagnostics: diagnostics)
        try arguments.expectPositional(atMost: 0, usage: "preprocessing(recipe=clip, size=224)")
        let names = PreprocessRecipe.presetNames.map(\.name)
        guard let argument = arguments.argument("recipe") else {
            throw diagnostics.error(at: call.location, "preprocessing needs recipe=NAME",
                                    hint: "one of " + names.joined(separator: ", "))
        }
        guard case .identifier(let recipe) = argument.value else {
            throw arguments.invalid(argument, "a recipe name")
        }
        guard names.contains(recipe) else {
            throw diagnostics.unknown("preprocessing recipe", recipe, at: argument.location, candidates: names,
                                      context: " (valid: \(names.joined(separator: ", ")))")
        }
        return PreprocessingRule(recipe: recipe, size: try arguments.int("size", in: 1...Self.maxRecipeSize),
                                 line: call.location.line)
    }
}
