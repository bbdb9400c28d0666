// Fuzz targets of EFText: the CLIP tokenizer on arbitrary text (with the real vocabulary that
// scripts/setup.sh fetches) and the vocabulary loader on arbitrary bytes.

import EFCore
import EFText
import Foundation

enum TextFuzzTargets {
    static let all: [FuzzTarget] = [tokenizer]

    /// The CLIP vocabulary: `EDGEFLOW_FUZZ_VOCAB`, else `.testdata/clip/bpe_simple_vocab_16e6.txt.gz`
    /// of this checkout.
    static let vocabularyURL: URL = {
        if let path = ProcessInfo.processInfo.environment["EDGEFLOW_FUZZ_VOCAB"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".testdata/clip/bpe_simple_vocab_16e6.txt.gz")
    }()

    static let loadedTokenizer = Result { try CLIPTokenizer(vocabularyFile: vocabularyURL) }

    static let tokenizer = FuzzTarget(name: "tokenizer",
        summary: "UTF-8 text (invalid sequences replaced) → CLIPTokenizer.tokenize, truncating and not") { data in
        let tokenizer: CLIPTokenizer
        switch loadedTokenizer {
        case .success(let loaded): tokenizer = loaded
        case .failure(let error):
            throw EdgeflowError(.internalError, "the tokenizer target needs the CLIP vocabulary: \(error)",
                                hint: "run scripts/setup.sh, or set EDGEFLOW_FUZZ_VOCAB")
        }
        let text = String(decoding: data, as: UTF8.self)
        _ = try tokenizer.tokenize(text, contextLength: 77, truncate: true)
        _ = try tokenizer.tokenize(text, contextLength: 77, truncate: false)
    }
}
