// The syntax tree of a model script, as written: calls with optional result names, positional
// and keyword arguments, and values (names, numbers, strings, lists, layer sets). ModelScript
// turns it into typed rules; nothing outside this folder sees it.

/// A value as written in a script.
indirect enum ScriptValue: Equatable {
    /// A bare word: an enum value, a layer name, `True`/`False`.
    case identifier(String)
    case number(Double, isInteger: Bool, text: String)
    case string(String)
    /// `[a, 1, "b"]`; nested lists are allowed up to `ScriptLimits.maxNesting`.
    case list([ScriptValue])
    /// `{conv*, fc1}`: layer-name globs.
    case set([ScriptPattern])

    /// What kind of value this is, for messages.
    var kindName: String {
        switch self {
        case .identifier(let name): return "the name '\(ScriptText.clipped(name))'"
        case .number(_, _, let text): return "the number \(ScriptText.clipped(text))"
        case .string: return "a string"
        case .list: return "a list"
        case .set: return "a layer set"
        }
    }
}

/// One glob of a layer set, with where it was written.
struct ScriptPattern: Equatable {
    var text: String
    var location: ScriptLocation
}

/// `key=value` or a positional value, with where the value starts.
struct ScriptArgument {
    var key: String?
    var keyLocation: ScriptLocation?
    var value: ScriptValue
    var location: ScriptLocation
}

/// One command line: `[names =] name(arguments)`.
struct ScriptCall {
    var results: [String]
    var name: String
    var location: ScriptLocation
    var arguments: [ScriptArgument]
}

/// The size limits of a script, all checked before the memory they bound is allocated.
public enum ScriptLimits {
    /// Largest script text in bytes (1 MiB).
    public static let maxBytes = 1 << 20
    /// Most commands in one script.
    public static let maxCommands = 10_000
    /// Most elements in one list or layer set.
    public static let maxListLength = 65_536
    /// Deepest nesting of lists and sets (`[[1]]` is 2).
    public static let maxNesting = 4
}
