// The added tokens of tokenizer.json ("added_tokens": <s>, </s>, <|endoftext|>, <mask>, …):
// found in the text before the model runs and given their ids directly, as the `tokenizers`
// library does: tokens marked `normalized: false` are found in the raw text, the others in
// each stretch's normalized text (their own text normalized the same way); leftmost match
// first, the longest at a position; `single_word` tokens only between non-word characters;
// `lstrip`/`rstrip` take the spaces beside the match with them.

import EFCore

/// One added token.
struct AddedToken: Sendable {
    var id: Int32
    var content: [Unicode.Scalar]
    var singleWord = false, leftStrip = false, rightStrip = false, normalized = true, special = false

    /// Reads one element of "added_tokens".
    /// - Throws: `.invalidModel` naming the field for a missing or mistyped member.
    init(_ field: JSONField) throws {
        id = Int32(try field.required("id").int(in: 0...(TokenizerLimits.maxVocabulary - 1)))
        let contentField = try field.required("content")
        content = Array(try contentField.string(maxBytes: TokenizerLimits.maxTokenBytes).unicodeScalars)
        guard !content.isEmpty else { throw contentField.error("is empty") }
        singleWord = try field.bool("single_word", default: false)
        leftStrip = try field.bool("lstrip", default: false)
        rightStrip = try field.bool("rstrip", default: false)
        normalized = try field.bool("normalized", default: !(try field.bool("special", default: false)))
        special = try field.bool("special", default: false)
    }
}

/// A stretch of input text, or an added token found in it.
enum InputSegment {
    case text([Unicode.Scalar], atStart: Bool)
    case token(Int32)
}

/// Finds added tokens in text.
struct AddedTokenMatcher: Sendable {
    /// (text to look for, id, token).
    private let patterns: [(text: [Unicode.Scalar], token: AddedToken)]
    private let byFirstScalar: [Unicode.Scalar: [Int]]

    init(_ tokens: [AddedToken], text: ([Unicode.Scalar]) -> [Unicode.Scalar] = { $0 }) {
        patterns = tokens.map { (text($0.content), $0) }.filter { !$0.0.isEmpty }
        var index: [Unicode.Scalar: [Int]] = [:]
        for (position, pattern) in patterns.enumerated() { index[pattern.text[0], default: []].append(position) }
        byFirstScalar = index
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// `segment` cut around the added tokens in it (token segments pass through unchanged).
    func split(_ segment: InputSegment) -> [InputSegment] {
        guard case .text(let text, let atStart) = segment, !patterns.isEmpty else { return [segment] }
        var out: [InputSegment] = []
        var copied = 0, position = 0
        while position < text.count {
            guard let (length, token) = longestMatch(in: text, at: position) else { position += 1; continue }
            var start = position, stop = position + length
            if token.singleWord, (start > 0 && Self.isWordScalar(text[start - 1]))
                || (stop < text.count && Self.isWordScalar(text[stop])) {
                position = stop
                continue
            }
            if token.leftStrip { while start > copied, text[start - 1].properties.isWhitespace { start -= 1 } }
            if token.rightStrip { while stop < text.count, text[stop].properties.isWhitespace { stop += 1 } }
            if copied < start { out.append(.text(Array(text[copied..<start]), atStart: atStart && copied == 0)) }
            out.append(.token(token.id))
            copied = stop
            position = stop
        }
        if copied < text.count { out.append(.text(Array(text[copied...]), atStart: atStart && copied == 0)) }
        return out
    }

    private func longestMatch(in text: [Unicode.Scalar], at position: Int) -> (Int, AddedToken)? {
        guard let candidates = byFirstScalar[text[position]] else { return nil }
        var best: (Int, AddedToken)?
        for candidate in candidates {
            let pattern = patterns[candidate].text
            guard pattern.count > (best?.0 ?? 0), position + pattern.count <= text.count,
                  text[position..<position + pattern.count].elementsEqual(pattern) else { continue }
            best = (pattern.count, patterns[candidate].token)
        }
        return best
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
