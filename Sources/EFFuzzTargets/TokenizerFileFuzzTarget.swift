// Fuzz target of EFText's Hugging Face tokenizer.json reader: arbitrary bytes as a tokenizer
// file; when one loads, a few fixed texts (Latin, CJK, emoji, a special token's text, a long
// word) are encoded and tokenized to a short context, so the pipeline a file builds runs too.

import EFCore
import EFText
import Foundation

enum TokenizerFileFuzzTarget {
    static let texts = ["a photo of a cat", "  Café  ﬁsh ＡＢＣ 東京 🐶 <s> <mask> </s> <|endoftext|> ",
                        String(repeating: "ab", count: 200), ""]

    static let hfTokenizer = FuzzTarget(name: "hf-tokenizer",
        summary: "tokenizer.json bytes → HFTokenizer(data:); when it loads, encode and tokenize fixed texts"
    ) { data in
        let tokenizer = try HFTokenizer(data: [UInt8](data), source: "fuzz tokenizer.json")
        for text in texts {
            _ = try tokenizer.encode(text)
            _ = try tokenizer.tokenize(text, contextLength: max(16, tokenizer.specialTokenCount + 1), padID: 0)
        }
    }
}
