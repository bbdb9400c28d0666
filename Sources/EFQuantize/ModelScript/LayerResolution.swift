// Resolving a model script's layer rules against the layers of a graph: which precision and
// which activation clipping each layer gets. Rules apply in script order, so a later rule
// overrides an earlier one for the layers both cover. A name that is no layer, or a glob that
// matches none, is an error naming the script line and the nearest layer name.

import EFCore

extension ModelScript {
    /// The precision of every layer in `layerNames`: `a8_w8` unless a `quantization_param` rule
    /// covers it; where several do, the last in the script wins.
    /// - Throws: `EdgeflowError(.invalidInput)` naming the line when a rule names a layer that
    ///   does not exist or has a glob that matches no layer (hint: the nearest layer name).
    public func precisions(layerNames: [String]) throws -> [String: PrecisionMode] {
        var result: [String: PrecisionMode] = [:]
        for name in layerNames { result[name] = .a8w8 }
        for rule in precisionRules {
            for name in try resolve(rule.layers, in: layerNames) { result[name] = rule.mode }
        }
        return result
    }

    /// The activation clipping of every layer in `layerNames`: `.disabled` unless an
    /// `activation_clipping` rule covers it (a rule without `layers=` covers every layer);
    /// where several do, the last in the script wins.
    /// - Throws: as `precisions(layerNames:)`.
    public func activationClipping(layerNames: [String]) throws -> [String: ActivationClipping] {
        var result: [String: ActivationClipping] = [:]
        for name in layerNames { result[name] = .disabled }
        for rule in activationClippingRules {
            let covered = try rule.layers.map { try resolve($0, in: layerNames) } ?? layerNames
            for name in covered { result[name] = rule.clipping }
        }
        return result
    }

    /// Checks every layer the script names: the layer rules against `layerNames`, and the input
    /// layers of normalization, input_conversion and resize against `inputNames` (or against
    /// `layerNames` for a resize, which may also name an output).
    /// - Throws: `EdgeflowError(.invalidInput)` for the first name that is no such layer.
    public func checkLayerNames(layerNames: [String], inputNames: [String]) throws {
        _ = try precisions(layerNames: layerNames)
        _ = try activationClipping(layerNames: layerNames)
        let named: [(String?, Int, [String], String)] =
            normalizations.map { ($0.inputLayer, $0.line, inputNames, "input") }
            + inputConversions.map { ($0.inputLayer, $0.line, inputNames, "input") }
            + resizes.map { ($0.layer, $0.line, layerNames, "layer") }
        for case let (name?, line, candidates, what) in named where !candidates.contains(name) {
            throw unknownLayer(name, line: line, candidates: candidates, what: what)
        }
    }

    /// The layers `patterns` cover, in `layerNames` order.
    private func resolve(_ patterns: [LayerPattern], in layerNames: [String]) throws -> [String] {
        var covered = Set<String>()
        for pattern in patterns {
            let matches = layerNames.filter(pattern.matches)
            guard !matches.isEmpty else {
                let location = pattern.location
                if pattern.kind == .name {
                    throw unknownLayer(pattern.text, line: location.line, column: location.column,
                                       candidates: layerNames, what: "layer")
                }
                let stripped = pattern.text.filter { $0 != "*" && $0 != "?" }
                throw EdgeflowError(.invalidInput, "\(fileName):\(location.line):\(location.column): the glob "
                                        + "'\(ScriptText.clipped(pattern.text))' matches no layer",
                                    hint: NearestName.nearest(to: stripped, in: layerNames,
                                                              freePrefix: pattern.text.hasPrefix("*"),
                                                              freeSuffix: pattern.text.hasSuffix("*"))
                                        .map { "the nearest layer name is '\(ScriptText.clipped($0))'" })
            }
            covered.formUnion(matches)
        }
        return layerNames.filter(covered.contains)
    }

    private func unknownLayer(_ name: String, line: Int, column: Int? = nil, candidates: [String],
                              what: String) -> EdgeflowError {
        let place = column.map { "\(fileName):\(line):\($0)" } ?? "\(fileName):\(line)"
        return EdgeflowError(.invalidInput, "\(place): no \(what) named '\(ScriptText.clipped(name))'",
                             hint: NearestName.hint(for: name, in: candidates))
    }
}

/// Glob matching of layer names: `*` is any run of characters (also none), `?` one character.
enum Glob {
    /// Whether `name` matches `pattern`, in O(pattern × name) at worst, without recursion.
    static func matches(pattern: String, name: String) -> Bool {
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        var pi = 0, ni = 0
        var star: Int?, resume = 0
        while ni < n.count {
            if pi < p.count, p[pi] == "*" {
                star = pi
                resume = ni
                pi += 1
            } else if pi < p.count, p[pi] == "?" || p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if let starIndex = star {
                pi = starIndex + 1
                resume += 1
                ni = resume
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
