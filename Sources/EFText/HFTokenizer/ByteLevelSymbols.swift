// GPT-2's byte-level tables as the ByteLevel pre-tokenizer uses them: the regex that cuts text
// into words, numbers, symbol runs and spaces, and the printable scalar standing for each byte
// (the same bytes_to_unicode table the OpenAI CLIP vocabulary is written in).

/// Byte-level pre-tokenization helpers.
enum ByteLevelSymbols {
    /// GPT-2's split: contractions, letters, digits, other symbols (each with an optional
    /// leading space), and spaces (a run before a non-space leaves its last space to it).
    static let gpt2Split = TextPattern(
        builtInRegex: #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#)

    /// The Whitespace pre-tokenizer's pieces: word runs or runs of other non-space symbols.
    static let wordsOrSymbols = TextPattern(builtInRegex: #"\w+|[^\w\s]+"#)

    /// The scalar standing for each byte value.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (position, byte) in ByteSymbols.byteOrder.enumerated() {
            table[byte] = ByteSymbols.unicodeForByte[position]
        }
        return table
    }()

    /// The UTF-8 bytes of `text`, each written as its symbol.
    static func symbols(of text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for scalar in text {
            for byte in UTF8.encode(scalar)! { out.append(scalarForByte[Int(byte)]) }
        }
        return out
    }
}
