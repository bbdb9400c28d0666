// The patterns of tokenizer.json's Split pre-tokenizer and Replace normalizer: a literal string
// or an Oniguruma regex (what the Rust `tokenizers` library compiles them with), run here with
// ICU's NSRegularExpression. The two dialects agree on what tokenizer files use (\p{L}, \p{N},
// classes, alternation, lookahead) except `\s`/`\S`: Oniguruma's \s is the White_Space
// property, ICU's omits U+000B and U+0085, so those escapes are rewritten to an explicit class.
// NSRegularExpression has no time limit: a pattern that backtracks badly is slow on long text
// (the reader bounds a pattern's length, not its run time; model folders are the user's own).

import EFCore
import Foundation

/// A literal or regex pattern over Unicode scalars.
struct TextPattern: @unchecked Sendable {
    private enum Kind {
        case literal([Unicode.Scalar])
        case regex(NSRegularExpression)
    }

    private let kind: Kind

    /// The longest pattern text accepted, in bytes.
    static let maxPatternBytes = 4096

    /// Reads `{"String": "…"}` or `{"Regex": "…"}` from `field`.
    /// - Throws: `.invalidModel` naming the field for another shape, an empty literal, or a
    ///   regex ICU cannot compile.
    init(_ field: JSONField) throws {
        if let literal = try field.optional("String") {
            let text = try literal.string(maxBytes: Self.maxPatternBytes)
            guard !text.isEmpty else { throw literal.error("is an empty pattern") }
            kind = .literal(Array(text.unicodeScalars))
        } else if let regex = try field.optional("Regex") {
            let text = try regex.string(maxBytes: Self.maxPatternBytes)
            do {
                kind = .regex(try NSRegularExpression(pattern: Self.icuPattern(text)))
            } catch {
                throw regex.error("is a regex that cannot be compiled (\(text))")
            }
        } else {
            throw field.error("is neither {\"String\": …} nor {\"Regex\": …}")
        }
    }

    /// A regex built into Edgeflow (`pattern` must compile).
    init(builtInRegex pattern: String) {
        // swiftlint:disable:next force_try
        kind = .regex(try! NSRegularExpression(pattern: Self.icuPattern(pattern)))
    }

    /// The non-overlapping matches in `text`, left to right, as scalar index ranges.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch kind {
        case .literal(let needle):
            var found: [Range<Int>] = []
            var start = 0
            while start + needle.count <= text.count {
                if text[start..<start + needle.count].elementsEqual(needle) {
                    found.append(start..<start + needle.count)
                    start += needle.count
                } else {
                    start += 1
                }
            }
            return found
        case .regex(let regex):
            let string = String(String.UnicodeScalarView(text))
            // UTF-16 offset → scalar index, to map NSRange back.
            var scalarAt = [Int](repeating: 0, count: string.utf16.count + 1)
            var offset = 0
            for (index, scalar) in text.enumerated() {
                let width = scalar.value > 0xFFFF ? 2 : 1
                for k in 0..<width { scalarAt[offset + k] = index }
                offset += width
            }
            scalarAt[offset] = text.count
            let all = NSRange(location: 0, length: offset)
            return regex.matches(in: string, range: all).map {
                scalarAt[$0.range.location]..<scalarAt[$0.range.location + $0.range.length]
            }
        }
    }

    /// White_Space, the set Oniguruma's `\s` matches, written for use inside an ICU class.
    static let whiteSpaceClassBody = #"\t\n\x{0B}\f\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}"#
        + #"\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"#

    /// `pattern` with `\s` and `\S` spelled as explicit White_Space classes (inside a bracket
    /// class `\s` becomes the class body; `\S` inside a class is left to ICU).
    static func icuPattern(_ pattern: String) -> String {
        var out = ""
        var inClass = 0
        var escaped = false
        for scalar in pattern.unicodeScalars {
            let character = Character(scalar)
            if escaped {
                escaped = false
                switch character {
                case "s": out += inClass > 0 ? whiteSpaceClassBody : "[" + whiteSpaceClassBody + "]"
                case "S" where inClass == 0: out += "[^" + whiteSpaceClassBody + "]"
                default: out += "\\" + String(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; continue
            case "[": inClass += 1
            case "]" where inClass > 0: inClass -= 1
            default: break
            }
            out.append(character)
        }
        if escaped { out += "\\" }
        return out
    }
}
