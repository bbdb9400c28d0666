// The lexer of the model-script language (docs/model-script.md): UTF-8 bytes in, one token at a
// time out, each with its line and column. Tokens are produced on demand, so memory never
// depends on how many a script holds.

/// One token of a model script.
enum ScriptTokenKind: Equatable {
    /// A bare word: a command, key, enum value, layer name or glob (`conv1`, `ocr-det`, `*norm*`).
    case identifier(String)
    /// A finite number as written; `isInteger` when it has no fraction and no exponent.
    case number(Double, isInteger: Bool, text: String)
    /// A quoted string, escapes resolved.
    case string(String)
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace, comma, equals
    case newline
    case end

    /// How the token reads in a message.
    var display: String {
        switch self {
        case .identifier(let name): return "'\(ScriptText.clipped(name))'"
        case .number(_, _, let text): return "number \(ScriptText.clipped(text))"
        case .string: return "a string"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .equals: return "'='"
        case .newline: return "the end of the line"
        case .end: return "the end of the script"
        }
    }
}

struct ScriptToken {
    var kind: ScriptTokenKind
    var location: ScriptLocation
}

/// Splits a script into tokens. Comments (`#` to the end of the line), spaces, tabs and carriage
/// returns are skipped; a line feed is a token, since commands end at the end of a line.
struct ScriptLexer {
    private let bytes: [UInt8]
    private let diagnostics: ScriptDiagnostics
    private var index = 0
    private var line = 1
    private var column = 1

    init(bytes: [UInt8], diagnostics: ScriptDiagnostics) {
        self.bytes = bytes
        self.diagnostics = diagnostics
    }

    /// The next token; `.end` forever once the text is used up.
    mutating func next() throws -> ScriptToken {
        skipBlanksAndComments()
        let start = ScriptLocation(line: line, column: column)
        guard index < bytes.count else { return ScriptToken(kind: .end, location: start) }
        let byte = bytes[index]
        if let single = Self.punctuation(byte) {
            advance()
            if single == .newline {
                line += 1
                column = 1
            }
            return ScriptToken(kind: single, location: start)
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            return ScriptToken(kind: .string(try string(quote: byte, start: start)), location: start)
        }
        if Self.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
            return ScriptToken(kind: try number(start: start), location: start)
        }
        if Self.startsIdentifier(byte) {
            let begin = index
            while index < bytes.count, Self.continuesIdentifier(bytes[index]) { advance() }
            return ScriptToken(kind: .identifier(String(decoding: bytes[begin..<index], as: UTF8.self)),
                               location: start)
        }
        throw diagnostics.error(at: start, "unexpected character \(Self.describe(byte: byte))",
                                hint: "names are letters, digits and _ / . - : * ?; quote other text")
    }

    private mutating func advance() {
        // Columns count Unicode scalars: UTF-8 continuation bytes do not start a new one.
        if bytes[index] & 0xC0 != 0x80 { column += 1 }
        index += 1
    }

    private mutating func skipBlanksAndComments() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                advance()
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { advance() }
            default:
                return
            }
        }
    }

    private mutating func string(quote: UInt8, start: ScriptLocation) throws -> String {
        advance()
        var content: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                advance()
                return String(decoding: content, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "n"): content.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): content.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): content.append(bytes[index])
                default:
                    throw diagnostics.error(at: ScriptLocation(line: line, column: column - 1),
                                            "unknown escape '\\\(Self.describe(byte: bytes[index]))' in a string",
                                            hint: "the escapes are \\n, \\t, \\\\, \\\" and \\'")
                }
                advance()
                continue
            }
            content.append(byte)
            advance()
        }
        throw diagnostics.error(at: start, "unterminated string",
                                hint: "close it with \(Self.describe(byte: quote)) on the same line")
    }

    private mutating func number(start: ScriptLocation) throws -> ScriptTokenKind {
        let begin = index
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { advance() }
        var isInteger = true
        let integerDigits = digits()
        if integerDigits == 0 {
            throw diagnostics.error(at: start, "expected a digit after the sign")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            advance()
            isInteger = false
            if digits() == 0 { throw diagnostics.error(at: start, "expected a digit after the decimal point") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            advance()
            isInteger = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                advance()
            }
            if digits() == 0 { throw diagnostics.error(at: start, "expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[begin..<index], as: UTF8.self)
        if index < bytes.count, Self.continuesIdentifier(bytes[index]) {
            throw diagnostics.error(at: start, "malformed number '\(ScriptText.clipped(text))' followed by "
                                        + Self.describe(byte: bytes[index]),
                                    hint: "a name cannot start with a digit; quote it")
        }
        guard let value = Double(text), value.isFinite else {
            throw diagnostics.error(at: start, "number \(ScriptText.clipped(text)) is out of range")
        }
        return .number(value, isInteger: isInteger, text: text)
    }

    private mutating func digits() -> Int {
        let begin = index
        while index < bytes.count, Self.isDigit(bytes[index]) { advance() }
        return index - begin
    }

    private static func punctuation(_ byte: UInt8) -> ScriptTokenKind? {
        switch byte {
        case UInt8(ascii: "("): return .leftParen
        case UInt8(ascii: ")"): return .rightParen
        case UInt8(ascii: "["): return .leftBracket
        case UInt8(ascii: "]"): return .rightBracket
        case UInt8(ascii: "{"): return .leftBrace
        case UInt8(ascii: "}"): return .rightBrace
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: "="): return .equals
        case UInt8(ascii: "\n"): return .newline
        default: return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func startsIdentifier(_ byte: UInt8) -> Bool {
        isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "*")
            || byte == UInt8(ascii: "?") || byte == UInt8(ascii: ".")
    }

    private static func continuesIdentifier(_ byte: UInt8) -> Bool {
        startsIdentifier(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }

    /// A byte for a message: the character when printable ASCII, else its hex value.
    static func describe(byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : hex(byte)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
