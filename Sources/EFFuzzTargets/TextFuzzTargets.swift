// Fuzz targets of EFText: the CLIP tokenizer on arbitrary text (with the real vocabulary that
// scripts/setup.sh fetches) and the vocabulary loader, on arbitrary bytes and on the real
// vocabulary with a mutated stretch (random bytes alone never get past its line count).

import EFCore
import EFText
import Foundation

enum TextFuzzTargets {
    static let all: [FuzzTarget] = [tokenizer, vocabulary, TokenizerFileFuzzTarget.hfTokenizer]

    /// The CLIP vocabulary: `EDGEFLOW_FUZZ_VOCAB`, else `.testdata/clip/bpe_simple_vocab_16e6.txt.gz`
    /// of this checkout.
    static let vocabularyURL: URL = {
        if let path = ProcessInfo.processInfo.environment["EDGEFLOW_FUZZ_VOCAB"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".testdata/clip/bpe_simple_vocab_16e6.txt.gz")
    }()

    /// The plain-text vocabulary beside the `.gz` (setup unpacks both).
    static let vocabularyText = Result {
        try [UInt8](Data(contentsOf: vocabularyURL.deletingPathExtension()))
    }

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

    /// Input: byte 0 even: the rest replaces a stretch of the real vocabulary text (bytes 1–3 the
    /// offset within the first 512 KiB, byte 4 the length replaced); byte 0 odd: the rest is the
    /// whole file (gzip or text).
    static let vocabulary = FuzzTarget(name: "vocabulary",
        summary: "vocabulary bytes, or the real vocabulary with a stretch replaced → BPEVocabulary(data:)") { data in
        let input = [UInt8](data)
        guard let mode = input.first else { return }
        if mode & 1 == 1 {
            _ = try BPEVocabulary(data: Array(input.dropFirst()), source: "fuzz vocabulary")
            return
        }
        guard input.count >= 5 else { return }
        var text: [UInt8]
        switch vocabularyText {
        case .success(let loaded): text = loaded
        case .failure(let error):
            throw EdgeflowError(.internalError, "the vocabulary target needs the CLIP vocabulary text: \(error)",
                                hint: "run scripts/setup.sh, or set EDGEFLOW_FUZZ_VOCAB to the .txt.gz beside its .txt")
        }
        // The merges the loader reads end within the first 512 KiB of the real file.
        let offset = (Int(input[1]) << 16 | Int(input[2]) << 8 | Int(input[3])) % max(min(text.count, 1 << 19), 1)
        let end = min(text.count, offset + Int(input[4]))
        text.replaceSubrange(offset..<end, with: input.dropFirst(5))
        _ = try BPEVocabulary(data: text, source: "fuzz vocabulary")
    }
}
