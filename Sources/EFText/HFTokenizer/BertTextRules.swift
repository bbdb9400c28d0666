// The character rules of BERT's normalizer and pre-tokenizers as the Hugging Face `tokenizers`
// library applies them: clean_text, handle_chinese_chars, the accent stripping, punctuation and
// digits, looked up in the library's own tables (BertUnicodeTables, generated) where its Unicode
// version differs from Swift's.

/// BERT's character rules, scalar by scalar.
enum BertTextRules {
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        contains(BertUnicodeTables.removed, scalar.value)
    }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x3400 && contains(BertUnicodeTables.chinese, scalar.value)
    }

    /// A nonspacing mark (category Mn in the library's tables), which the accent stripping drops.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && contains(BertUnicodeTables.nonspacingMarks, scalar.value)
    }

    /// ASCII punctuation and symbols, or a punctuation category (BERT's `_is_punctuation`).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        contains(BertUnicodeTables.punctuation, scalar.value)
    }

    /// A number of any kind (Rust's `char::is_numeric`: categories Nd, Nl, No; Rust follows
    /// current Unicode, as Swift does), which the Digits pre-tokenizer splits on.
    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (0x30...0x39).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// clean_text: removed characters dropped, whitespace of any kind made a plain space.
    static func cleaned(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.compactMap { scalar in
            if isRemoved(scalar) { return nil }
            return scalar.properties.isWhitespace ? " " : scalar
        }
    }

    /// handle_chinese_chars: a space before and after every CJK ideograph.
    static func spacingChinese(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: isChinese) else { return text }
        return text.flatMap { isChinese($0) ? [" ", $0, " "] : [$0] }
    }

    /// Whether a sorted list of disjoint ranges holds `value` (binary search).
    private static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(value)
    }
}
