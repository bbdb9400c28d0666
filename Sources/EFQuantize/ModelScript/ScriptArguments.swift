// The arguments of one model-script command, checked and typed: unknown or repeated keys,
// positional arguments after keyword ones, wrong value kinds and values out of range are errors
// naming the line and column of the value.

import EFCore

/// Typed access to one call's arguments.
struct ScriptArguments {
    let call: ScriptCall
    /// The command as messages name it, e.g. `pre_quantization_optimization(smooth_quant)`.
    let context: String
    let diagnostics: ScriptDiagnostics
    private(set) var positional: [ScriptArgument] = []
    private var keyed: [String: ScriptArgument] = [:]

    /// Splits the arguments; `context` is the command (or `command(feature)`) whose keys
    /// `ScriptCommandTable.keys` lists; `skipFirst` drops a leading positional (a section or
    /// feature name the caller already read).
    init(_ call: ScriptCall, context: String, skipFirst: Bool = false, diagnostics: ScriptDiagnostics) throws {
        let keys = ScriptCommandTable.keys[context] ?? []
        self.call = call
        self.context = context
        self.diagnostics = diagnostics
        for (index, argument) in call.arguments.enumerated() where !(skipFirst && index == 0) {
            guard let key = argument.key else {
                guard keyed.isEmpty else {
                    throw diagnostics.error(at: argument.location,
                                            "a positional argument after key=value arguments in \(context)",
                                            hint: "put positional arguments first")
                }
                positional.append(argument)
                continue
            }
            let location = argument.keyLocation ?? argument.location
            if ScriptCommandTable.hailoKeys[context]?.contains(key) == true {
                throw diagnostics.error(at: location, "key '\(key)' of \(context) is a Dataflow Compiler key "
                                            + "that Edgeflow does not support yet",
                                        hint: "see docs/model-script.md for the supported keys")
            }
            guard keys.contains(key) else {
                throw diagnostics.unknown("key", key, at: location, candidates: keys, context: " for \(context)")
            }
            guard keyed[key] == nil else {
                throw diagnostics.error(at: location, "key '\(key)' given twice in \(context)")
            }
            keyed[key] = argument
        }
    }

    /// The argument given for `key`, or nil.
    func argument(_ key: String) -> ScriptArgument? { keyed[key] }

    /// Fails when more than `count` positional arguments were given.
    func expectPositional(atMost count: Int, usage: String) throws {
        if positional.count > count {
            throw diagnostics.error(at: positional[count].location, "too many positional arguments for \(context)",
                                    hint: "write \(usage)")
        }
    }

    /// The error for a value of the wrong kind or range.
    func invalid(_ argument: ScriptArgument, _ what: String, hint: String? = nil) -> EdgeflowError {
        let name = argument.key.map { "'\($0)'" } ?? "the argument"
        return diagnostics.error(at: argument.location, "\(name) of \(context) must be \(what), "
                                     + "not \(argument.value.kindName)", hint: hint)
    }

    /// An integer key, nil when absent.
    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let argument = keyed[key] else { return nil }
        return try int(argument, in: range)
    }

    func int(_ argument: ScriptArgument, in range: ClosedRange<Int>) throws -> Int {
        guard case .number(_, true, let text) = argument.value, let value = Int(text), range.contains(value) else {
            throw invalid(argument, "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A number key that `isValid` accepts (`rangeText` says which), nil when absent.
    func double(_ key: String, rangeText: String, isValid: (Double) -> Bool) throws -> Double? {
        guard let argument = keyed[key] else { return nil }
        guard case .number(let value, _, _) = argument.value, isValid(value) else {
            throw invalid(argument, "a number in \(rangeText)")
        }
        return value
    }

    /// One of an enum's raw values, nil when absent.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let argument = keyed[key] else { return nil }
        return try choice(argument, type)
    }

    func choice<T: RawRepresentable & CaseIterable>(_ argument: ScriptArgument, _ type: T.Type) throws -> T
    where T.RawValue == String {
        let names = T.allCases.map(\.rawValue)
        guard case .identifier(let word) = argument.value else {
            throw invalid(argument, "one of " + names.joined(separator: ", "))
        }
        guard let value = T(rawValue: word) else {
            let name = argument.key.map { "value for '\($0)'" } ?? "value"
            throw diagnostics.unknown(name, word, at: argument.location, candidates: names,
                                      context: " in \(context) (valid: \(names.joined(separator: ", ")))")
        }
        return value
    }

    /// `True` or `False`, nil when absent.
    func bool(_ key: String) throws -> Bool? {
        guard let argument = keyed[key] else { return nil }
        switch argument.value {
        case .identifier("True"), .identifier("true"): return true
        case .identifier("False"), .identifier("false"): return false
        default: throw invalid(argument, "True or False")
        }
    }

    /// A layer name: a bare name or a quoted string.
    func layerName(_ argument: ScriptArgument) throws -> String {
        switch argument.value {
        case .identifier(let name), .string(let name):
            if name.contains("*") || name.contains("?") {
                throw invalid(argument, "one layer name",
                              hint: "globs go in braces ({conv*}) where a command takes several layers")
            }
            return name
        default:
            throw invalid(argument, "a layer name")
        }
    }

    /// A list of finite numbers with between `minCount` and `maxCount` elements.
    func numbers(_ argument: ScriptArgument, count: ClosedRange<Int>) throws -> [Double] {
        let what = count.lowerBound == count.upperBound ? "a list of \(count.lowerBound) numbers"
            : "a list of \(count.lowerBound) to \(count.upperBound) numbers"
        guard case .list(let elements) = argument.value, count.contains(elements.count) else {
            throw invalid(argument, what)
        }
        var values: [Double] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            guard case .number(let value, _, _) = element else { throw invalid(argument, what) }
            values.append(value)
        }
        return values
    }

    /// Layers: a name (`conv1`), a list of names (`[conv1, conv2]`) or a set of globs (`{conv*}`).
    func layers(_ argument: ScriptArgument) throws -> [LayerPattern] {
        var patterns: [LayerPattern] = []
        switch argument.value {
        case .identifier, .string:
            let name = try layerName(argument)
            patterns.append(LayerPattern(kind: .name, text: name, location: argument.location))
        case .list(let elements):
            for element in elements {
                let item = ScriptArgument(key: argument.key, keyLocation: nil, value: element,
                                          location: argument.location)
                patterns.append(LayerPattern(kind: .name, text: try layerName(item), location: argument.location))
            }
        case .set(let globs):
            patterns = globs.map { LayerPattern(kind: .glob, text: $0.text, location: $0.location) }
        case .number:
            throw invalid(argument, "layers: a name, [name, ...] or {glob, ...}")
        }
        guard !patterns.isEmpty else {
            throw diagnostics.error(at: argument.location, "\(context) selects no layers",
                                    hint: "name at least one layer, or {*} for all")
        }
        return patterns
    }
}
