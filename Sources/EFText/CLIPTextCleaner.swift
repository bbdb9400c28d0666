// CLIP's text normalization before BPE (simple_tokenizer's basic_clean, whitespace_clean and
// lower), exposed so tools can show what the tokenizer actually sees.

/// The text CLIP tokenizes: `whitespace_clean(basic_clean(text)).lower()`, i.e. ftfy's
/// `fix_text` (without mojibake repair, see `FtfyFixes`), `html.unescape` twice, strip,
/// whitespace runs → one space, strip, Python `str.lower`.
public enum CLIPTextCleaner {
    public static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(cleanScalars(Array(text.unicodeScalars))))
    }

    static func cleanScalars(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var scalars = FtfyFixes.fixText(text)
        scalars = HTMLUnescaper.pythonUnescape(HTMLUnescaper.pythonUnescape(scalars))
        scalars = PythonText.strip(scalars)
        scalars = PythonText.strip(PythonText.collapseWhitespace(scalars))
        return PythonText.lower(scalars)
    }
}
