// The normalizers of tokenizer.json ("normalizer"), read from their JSON and applied to text as
// Unicode scalars: NFC, NFD, NFKC, NFKD, Lowercase, Replace (string or regex), Strip,
// StripAccents, Prepend, Precompiled (SentencePiece's charsmap), BertNormalizer and Sequence.
// Token ids are all Edgeflow needs, so no offsets are tracked.

import EFCore
import Foundation

/// One normalizer of a Hugging Face tokenizer.
indirect enum TextNormalizer: Sendable {
    case nfc, nfd, nfkc, nfkd, lowercase, stripAccents
    /// BertNormalizer's steps: clean_text, handle_chinese_chars, and its accent stripping, which
    /// (unlike StripAccents) drops only nonspacing marks after NFD.
    case bertClean, chineseSpacing, stripNonspacingMarks
    case replace(TextPattern, [Unicode.Scalar])
    case strip(left: Bool, right: Bool)
    case prepend([Unicode.Scalar])
    case precompiled(PrecompiledCharsMap)
    case sequence([TextNormalizer])

    /// The most normalizers a Sequence may hold.
    static let maxSequence = 64

    /// Reads a normalizer object.
    /// - Throws: `.invalidModel` naming the field for a wrong type or value, and `.unsupported`
    ///   naming a normalizer type Edgeflow does not implement.
    init(_ field: JSONField) throws {
        let type = try field.typeName()
        switch type {
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "StripAccents": self = .stripAccents
        case "Replace":
            let content = try field.required("content").string()
            self = .replace(try TextPattern(field.required("pattern")), Array(content.unicodeScalars))
        case "Strip":
            self = .strip(left: try field.bool("strip_left", default: true),
                          right: try field.bool("strip_right", default: true))
        case "Prepend":
            self = .prepend(Array(try field.required("prepend").string().unicodeScalars))
        case "Precompiled":
            self = .precompiled(try PrecompiledCharsMap(field.required("precompiled_charsmap")))
        case "BertNormalizer":
            self = try Self.bert(field)
        case "Sequence":
            self = .sequence(try field.required("normalizers").elements(limit: Self.maxSequence)
                .map(TextNormalizer.init))
        default:
            throw EdgeflowError(.unsupported, "\(field.source): \(field.path).type is the normalizer \"\(type)\", "
                                    + "which Edgeflow does not implement",
                                hint: "supported: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Replace, Strip, "
                                    + "Prepend, Precompiled, BertNormalizer, Sequence")
        }
    }

    /// BertNormalizer as the steps it runs, in its order: clean_text, handle_chinese_chars,
    /// accents (strip_accents, or lowercase when that is null or absent), lowercase.
    private static func bert(_ field: JSONField) throws -> TextNormalizer {
        let lowercase = try field.bool("lowercase", default: true)
        var steps: [TextNormalizer] = []
        if try field.bool("clean_text", default: true) { steps.append(.bertClean) }
        if try field.bool("handle_chinese_chars", default: true) { steps.append(.chineseSpacing) }
        if try field.bool("strip_accents", default: lowercase) { steps += [.nfd, .stripNonspacingMarks] }
        if lowercase { steps.append(.lowercase) }
        return .sequence(steps)
    }

    /// `text` normalized.
    func apply(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var keepsStart = true
        return apply(text, keepsStart: &keepsStart)
    }

    /// `text` normalized; `keepsStart` becomes false when the normalizer deletes the text's
    /// first character (Metaspace's "first" scheme prepends only to text whose first character
    /// still comes from the start of the input, as the `tokenizers` library's alignments say).
    func apply(_ text: [Unicode.Scalar], keepsStart: inout Bool) -> [Unicode.Scalar] {
        switch self {
        case .nfc: return Self.unicodeForm(text) { $0.precomposedStringWithCanonicalMapping }
        case .nfd: return Self.unicodeForm(text) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc: return Self.unicodeForm(text) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd: return Self.unicodeForm(text) { $0.decomposedStringWithCompatibilityMapping }
        case .lowercase:
            // Rust's char::to_lowercase, scalar by scalar (no final-sigma context).
            return text.flatMap { scalar -> [Unicode.Scalar] in
                guard !scalar.isASCII else {
                    return [("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar]
                }
                return Array(scalar.properties.lowercaseMapping.unicodeScalars)
            }
        case .stripAccents:
            let marks: [Unicode.GeneralCategory] = [.nonspacingMark, .spacingMark, .enclosingMark]
            return text.filter { !marks.contains($0.properties.generalCategory) }
        case .stripNonspacingMarks:
            return text.filter { !BertTextRules.isNonspacingMark($0) }
        case .bertClean:
            return BertTextRules.cleaned(text)
        case .chineseSpacing:
            return BertTextRules.spacingChinese(text)
        case .replace(let pattern, let content):
            var out: [Unicode.Scalar] = []
            var last = 0
            for match in pattern.matches(in: text) {
                if match.lowerBound == 0, !match.isEmpty, content.isEmpty { keepsStart = false }
                out.append(contentsOf: text[last..<match.lowerBound])
                out.append(contentsOf: content)
                last = match.upperBound
            }
            out.append(contentsOf: text[last...])
            return out
        case .strip(let left, let right):
            var start = 0, end = text.count
            if left { while start < end, text[start].properties.isWhitespace { start += 1 } }
            if start > 0 { keepsStart = false }
            if right { while end > start, text[end - 1].properties.isWhitespace { end -= 1 } }
            return Array(text[start..<end])
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .precompiled(let map):
            return map.normalize(text, keepsStart: &keepsStart)
        case .sequence(let normalizers):
            var out = text
            for normalizer in normalizers { out = normalizer.apply(out, keepsStart: &keepsStart) }
            return out
        }
    }

    private static func unicodeForm(_ text: [Unicode.Scalar], _ form: (String) -> String) -> [Unicode.Scalar] {
        guard !text.allSatisfy(\.isASCII) else { return text }
        return Array(form(String(String.UnicodeScalarView(text))).unicodeScalars)
    }
}
