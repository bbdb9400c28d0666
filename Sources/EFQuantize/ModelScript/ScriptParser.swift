// The parser of the model-script language: one command per line, in the grammar of
// docs/model-script.md. Recursive descent over ScriptLexer's tokens; the size limits of
// ScriptLimits are checked as the script is read, before the memory they bound is allocated.

import EFCore

/// Reads a script into calls.
struct ScriptParser {
    private var lexer: ScriptLexer
    private let diagnostics: ScriptDiagnostics
    private var token: ScriptToken
    /// Open parentheses, brackets and braces; inside them line ends are spaces.
    private var depth = 0

    init(bytes: [UInt8], diagnostics: ScriptDiagnostics) throws {
        self.diagnostics = diagnostics
        lexer = ScriptLexer(bytes: bytes, diagnostics: diagnostics)
        token = ScriptToken(kind: .end, location: ScriptLocation(line: 1, column: 1))
        try advance()
    }

    /// Every call of the script, in order.
    mutating func parseScript() throws -> [ScriptCall] {
        var calls: [ScriptCall] = []
        while true {
            switch token.kind {
            case .end:
                return calls
            case .newline:
                try advance()
            default:
                guard calls.count < ScriptLimits.maxCommands else {
                    throw diagnostics.error(at: token.location,
                                            "more than \(ScriptLimits.maxCommands) commands in one script")
                }
                calls.append(try parseCall())
                switch token.kind {
                case .newline, .end: break
                default:
                    throw diagnostics.error(at: token.location, "expected the end of the line after the command, "
                                                + "found \(token.kind.display)",
                                            hint: "write one command per line")
                }
            }
        }
    }

    private mutating func advance() throws {
        token = try lexer.next()
        while depth > 0, token.kind == .newline { token = try lexer.next() }
    }

    private mutating func expect(_ kind: ScriptTokenKind, _ what: String) throws {
        guard token.kind == kind else {
            throw diagnostics.error(at: token.location, "expected \(what), found \(token.kind.display)")
        }
        try advance()
    }

    private mutating func identifier(_ what: String) throws -> (String, ScriptLocation) {
        guard case .identifier(let name) = token.kind else {
            throw diagnostics.error(at: token.location, "expected \(what), found \(token.kind.display)")
        }
        let location = token.location
        try advance()
        return (name, location)
    }

    /// `[name {, name} =] command ( [argument {, argument} [,]] )`
    private mutating func parseCall() throws -> ScriptCall {
        var (name, location) = try identifier("a command name")
        var results: [String] = []
        if token.kind == .comma || token.kind == .equals {
            results.append(name)
            while token.kind == .comma {
                try advance()
                guard results.count < ScriptLimits.maxListLength else {
                    throw diagnostics.error(at: token.location,
                                            "more than \(ScriptLimits.maxListLength) result names")
                }
                results.append(try identifier("a result name").0)
            }
            try expect(.equals, "'=' after the result names")
            (name, location) = try identifier("a command name after '='")
        }
        guard token.kind == .leftParen else {
            throw diagnostics.error(at: token.location, "expected '(' after '\(ScriptText.clipped(name))', "
                                        + "found \(token.kind.display)",
                                    hint: "commands are written name(arguments)")
        }
        depth += 1
        try advance()
        var arguments: [ScriptArgument] = []
        while token.kind != .rightParen {
            guard arguments.count < ScriptLimits.maxListLength else {
                throw diagnostics.error(at: token.location, "more than \(ScriptLimits.maxListLength) arguments")
            }
            arguments.append(try parseArgument())
            if token.kind == .comma {
                try advance()
            } else if token.kind != .rightParen {
                throw unbalanced("')' closing the arguments of '\(ScriptText.clipped(name))'", opened: location)
            }
        }
        depth -= 1
        try advance()
        return ScriptCall(results: results, name: name, location: location, arguments: arguments)
    }

    /// `key = value` or `value`.
    private mutating func parseArgument() throws -> ScriptArgument {
        let location = token.location
        let first = try parseValue(nesting: 0)
        guard token.kind == .equals else {
            return ScriptArgument(key: nil, keyLocation: nil, value: first, location: location)
        }
        guard case .identifier(let key) = first else {
            throw diagnostics.error(at: location, "\(first.kindName) cannot be a key before '='",
                                    hint: "keys are plain names, e.g. precision_mode=a16_w8")
        }
        try advance()
        let valueLocation = token.location
        let value = try parseValue(nesting: 0)
        return ScriptArgument(key: key, keyLocation: location, value: value, location: valueLocation)
    }

    /// A name, number, string, `[list]` or `{set}`; `nesting` counts the lists around it.
    private mutating func parseValue(nesting: Int) throws -> ScriptValue {
        let kind = token.kind
        let location = token.location
        switch kind {
        case .identifier(let name):
            try advance()
            return .identifier(name)
        case .number(let value, let isInteger, let text):
            try advance()
            return .number(value, isInteger: isInteger, text: text)
        case .string(let text):
            try advance()
            return .string(text)
        case .leftBracket, .leftBrace:
            guard nesting < ScriptLimits.maxNesting else {
                throw diagnostics.error(at: location, "lists nested deeper than \(ScriptLimits.maxNesting) levels")
            }
            depth += 1
            try advance()
            let value = kind == .leftBracket ? try parseList(nesting: nesting + 1, opened: location)
                : try parseSet(opened: location)
            depth -= 1
            try advance()
            return value
        default:
            throw diagnostics.error(at: location, "expected a value, found \(kind.display)")
        }
    }

    private mutating func parseList(nesting: Int, opened: ScriptLocation) throws -> ScriptValue {
        var elements: [ScriptValue] = []
        while token.kind != .rightBracket {
            guard elements.count < ScriptLimits.maxListLength else {
                throw diagnostics.error(at: token.location,
                                        "list longer than \(ScriptLimits.maxListLength) elements")
            }
            elements.append(try parseValue(nesting: nesting))
            if token.kind == .comma {
                try advance()
            } else if token.kind != .rightBracket {
                throw unbalanced("']' closing the list", opened: opened)
            }
        }
        return .list(elements)
    }

    private mutating func parseSet(opened: ScriptLocation) throws -> ScriptValue {
        var patterns: [ScriptPattern] = []
        while token.kind != .rightBrace {
            guard patterns.count < ScriptLimits.maxListLength else {
                throw diagnostics.error(at: token.location,
                                        "layer set longer than \(ScriptLimits.maxListLength) elements")
            }
            switch token.kind {
            case .identifier(let text), .string(let text):
                patterns.append(ScriptPattern(text: text, location: token.location))
                try advance()
            default:
                throw diagnostics.error(at: token.location, "expected a layer name or glob in '{...}', "
                                            + "found \(token.kind.display)")
            }
            if token.kind == .comma {
                try advance()
            } else if token.kind != .rightBrace {
                throw unbalanced("'}' closing the layer set", opened: opened)
            }
        }
        return .set(patterns)
    }

    /// The error for a missing closing bracket: where it was expected and where it was opened.
    private func unbalanced(_ expected: String, opened: ScriptLocation) -> EdgeflowError {
        diagnostics.error(at: token.location, "expected ',' or \(expected), found \(token.kind.display)",
                          hint: "the bracket was opened at line \(opened.line), column \(opened.column)")
    }
}
