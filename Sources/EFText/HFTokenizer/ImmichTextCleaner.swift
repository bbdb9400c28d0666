// The text cleanup Immich's CLIP text encoder applies before its tokenizer.json tokenizer
// (immich_ml/models/transforms.py `clean_text`): whitespace runs become one space and the ends
// are trimmed (Python's `" ".join(text.split())`); with the model's
// `tokenizer_kwargs.clean == "canonicalize"`, ASCII punctuation is also removed and the text
// lowercased (`text.translate(string.punctuation → None).lower()`).

/// Immich's `clean_text`.
public enum ImmichTextCleaner {
    /// `text` cleaned as Immich cleans a query before tokenizing it.
    /// - Parameters:
    ///   - canonicalize: also drop ASCII punctuation and lowercase (Python's `str.lower`).
    /// - Returns: the cleaned text (never fails).
    public static func clean(_ text: String, canonicalize: Bool = false) -> String {
        var words: [[Unicode.Scalar]] = [[]]
        for scalar in text.unicodeScalars {
            if PythonText.isPythonSpace(scalar) {
                if !words[words.count - 1].isEmpty { words.append([]) }
            } else {
                words[words.count - 1].append(scalar)
            }
        }
        if words.last?.isEmpty == true { words.removeLast() }
        var scalars = Array(words.joined(separator: [" "]))
        if canonicalize {
            scalars.removeAll { $0.isASCII && Self.punctuation.contains(UInt8($0.value)) }
            scalars = PythonText.lower(scalars)
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Python's `string.punctuation`.
    private static let punctuation = Set(Array(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##.utf8))
}
