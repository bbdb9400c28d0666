// Splits cleaned text into the pieces CLIP runs BPE on: a hand-written scanner for
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// with IGNORECASE, as the Python `regex` module matches it (code points; \p{L}/\p{N} are the
// general categories; \s is White_Space; under IGNORECASE 's' also matches U+017F 'ſ').

enum CLIPPreTokenizer {
    /// The pieces, left to right; white space between them is dropped.
    static func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        var i = 0
        while i < text.count {
            let end = matchEnd(text, at: i)
            if end > i {
                pieces.append(text[i..<end])
                i = end
            } else {
                i += 1
            }
        }
        return pieces
    }

    /// The pattern's literal alternatives, in the pattern's order.
    private static let literals: [[Unicode.Scalar]] =
        ["<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map { Array($0.unicodeScalars) }

    /// End of the match starting at `start`, or `start` when nothing matches (white space).
    private static func matchEnd(_ text: [Unicode.Scalar], at start: Int) -> Int {
        let first = text[start]
        if first == "<" || first == "'" {
            for literal in literals where matchesLiteral(text, at: start, literal) {
                return start + literal.count
            }
        }
        if isLetter(first) {
            var end = start + 1
            while end < text.count, isLetter(text[end]) { end += 1 }
            return end
        }
        if isNumber(first) { return start + 1 }
        if PythonText.isRegexSpace(first) { return start }
        var end = start + 1
        while end < text.count, !isLetter(text[end]), !isNumber(text[end]), !PythonText.isRegexSpace(text[end]) {
            end += 1
        }
        return end
    }

    /// Case-insensitive literal match (the literals are lower-case ASCII).
    private static func matchesLiteral(_ text: [Unicode.Scalar], at start: Int, _ literal: [Unicode.Scalar]) -> Bool {
        guard start + literal.count <= text.count else { return false }
        for (offset, expected) in literal.enumerated() where !caseInsensitiveEqual(text[start + offset], expected) {
            return false
        }
        return true
    }

    private static func caseInsensitiveEqual(_ scalar: Unicode.Scalar, _ lowerASCII: Unicode.Scalar) -> Bool {
        if scalar == lowerASCII { return true }
        if ("a"..."z").contains(lowerASCII), scalar.value == lowerASCII.value - 32 { return true }
        if lowerASCII == "s", scalar.value == 0x017F { return true }
        if lowerASCII == "k", scalar.value == 0x212A { return true }
        return false
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}
