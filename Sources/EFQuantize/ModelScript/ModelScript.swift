// A parsed model script (`.alls`-like, docs/model-script.md): the verbatim text, so that an
// archive can record it, and the typed rules of every command in it. Reading checks syntax,
// names and value ranges; layer names are checked later against a graph (LayerResolution.swift).

import EFCore
import EFMedia
import Foundation

/// The typed content of a model script.
///
/// Commands that set one thing (`preprocessing`, `model_optimization_config`,
/// `model_optimization_flavor`, equalization, smooth_quant, bias_correction) merge in script
/// order: a later command overrides the keys it gives. Commands that apply to layers
/// (`quantization_param`, activation clipping) are kept as a list of rules; a later rule
/// overrides an earlier one for the layers both cover.
public struct ModelScript: Equatable, Sendable, Codable {
    /// The script exactly as given.
    public var source: String
    /// The name errors use for the script, usually its path.
    public var fileName: String
    public var normalizations: [NormalizationRule] = []
    public var inputConversions: [InputConversionRule] = []
    public var resizes: [ResizeRule] = []
    public var preprocessing: PreprocessingRule?
    public var calibration = CalibrationConfig()
    public var flavor = OptimizationFlavor()
    public var precisionRules: [PrecisionRule] = []
    public var equalization: PolicySetting?
    public var smoothQuant: SmoothQuantRule?
    public var activationClippingRules: [ActivationClippingRule] = []
    public var biasCorrection: PolicySetting?

    /// An empty script: every setting at its default.
    public init(fileName: String = "model script") {
        source = ""
        self.fileName = fileName
    }

    /// Parses `source`.
    /// - Parameter fileName: names the script in errors.
    /// - Throws: `EdgeflowError(.invalidInput)` naming file, line and column for a syntax error,
    ///   an unknown command or key (with the nearest valid name), a value of the wrong kind or out
    ///   of range, or a script over `ScriptLimits`.
    public init(parsing source: String, fileName: String = "model script") throws {
        let diagnostics = ScriptDiagnostics(fileName: fileName)
        let byteCount = source.utf8.count
        guard byteCount <= ScriptLimits.maxBytes else {
            throw EdgeflowError(.invalidInput, "\(fileName): the model script has \(byteCount) bytes, more than "
                                    + "the limit of \(ScriptLimits.maxBytes)",
                                hint: "a model script holds commands, not data; split it or remove comments")
        }
        self.init(fileName: fileName)
        self.source = source
        var parser = try ScriptParser(bytes: Array(source.utf8), diagnostics: diagnostics)
        var builder = ScriptBuilder(diagnostics: diagnostics)
        for call in try parser.parseScript() {
            try builder.apply(call, to: &self)
        }
        try builder.finish(&self)
    }

    /// Reads and parses the script file at `url` (at most `ScriptLimits.maxBytes`, UTF-8).
    /// - Throws: `EdgeflowError(.io)` when it cannot be read; `.invalidInput` as `init(parsing:)`.
    public static func load(contentsOf url: URL) throws -> ModelScript {
        let bytes = try BoundedRead.contents(of: url, limit: ScriptLimits.maxBytes, what: "model script",
                                             howToChange: "a model script holds commands, not data")
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw EdgeflowError(.invalidInput, "\(url.path): the model script is not UTF-8 text")
        }
        return try ModelScript(parsing: text, fileName: url.path)
    }

    /// The named EFMedia recipe of `preprocessing(...)`, or nil when the script has none.
    public func preprocessRecipe() throws -> PreprocessRecipe? {
        guard let preprocessing else { return nil }
        return try PreprocessRecipe.named(preprocessing.recipe, size: preprocessing.size)
    }
}
