// tokenizer.json tokenizers against the Hugging Face `tokenizers` library: ids of every text in
// Tests/Goldens/hf-tokenizers/strings.json (made by tools/goldens/make_hf_tokenizer_goldens.py)
// for OpenAI's CLIP BPE as Hugging Face converts it, a SentencePiece Unigram model in the
// XLM-Roberta layout (Precompiled charsmap), a SentencePiece BPE model with byte fallback and a
// WordPiece model behind every Split behaviour, BERT's cased (LaBSE) and uncased layouts and a
// WordPiece model behind the Punctuation and Digits pre-tokenizers;
// both the bare encoding and what Immich feeds its text tower (cleaned, truncated, padded).

import EFTestSupport
import EFText
import Foundation
import XCTest

final class HFTokenizerGoldenTests: XCTestCase {
    struct Strings: Decodable {
        struct Item: Decodable { var name: String; var text: String; var openai_differs: String? }
        var strings: [Item]
    }

    struct Goldens: Decodable {
        struct Case: Decodable { var name: String; var encode: [Int32]; var immich: [Int32] }
        var context_length: Int
        var pad_token: String
        var pad_id: Int32
        var tokenizer: String
        var cases: [Case]
    }

    static let folder = TestData.goldens.appendingPathComponent("hf-tokenizers")

    func load(_ name: String) throws -> (Goldens, [String: Strings.Item]) {
        let stringsURL = Self.folder.appendingPathComponent("strings.json")
        let strings = try JSONDecoder().decode(Strings.self, from: Data(contentsOf: stringsURL))
        let goldens = try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: Self.folder
            .appendingPathComponent(name).appendingPathComponent("goldens.json")))
        XCTAssertEqual(goldens.cases.count, strings.strings.count)
        return (goldens, Dictionary(uniqueKeysWithValues: strings.strings.map { ($0.name, $0) }))
    }

    /// Checks every case of `name`'s goldens with the tokenizer file at `url`.
    func check(_ name: String, tokenizerURL url: URL) throws -> (HFTokenizer, Goldens, [String: Strings.Item]) {
        let (goldens, texts) = try load(name)
        let tokenizer = try HFTokenizer(contentsOf: url)
        XCTAssertEqual(tokenizer.id(of: goldens.pad_token), goldens.pad_id)
        let immich = ImmichTextTokenizer(tokenizer: tokenizer, contextLength: goldens.context_length,
                                         padID: goldens.pad_id)
        var failures = 0
        for golden in goldens.cases {
            let text = try XCTUnwrap(texts[golden.name]).text
            let encoded = try tokenizer.encode(text)
            let tokenized = try immich.tokenize(text)
            if encoded != golden.encode || tokenized.ids != golden.immich { failures += 1 }
            XCTAssertEqual(encoded, golden.encode, "\(name) \(golden.name): encode")
            XCTAssertEqual(tokenized.ids, golden.immich, "\(name) \(golden.name): Immich's padded ids")
            XCTAssertEqual(tokenized.truncated, golden.encode.count > goldens.context_length, golden.name)
        }
        XCTAssertEqual(failures, 0, "\(name): \(failures) of \(goldens.cases.count) texts differ")
        return (tokenizer, goldens, texts)
    }

    func testXLMRobertaUnigramMatchesTokenizers() throws {
        _ = try check("xlmr-unigram", tokenizerURL: Self.folder.appendingPathComponent("xlmr-unigram/tokenizer.json"))
    }

    func testSentencePieceBPEWithByteFallbackMatchesTokenizers() throws {
        _ = try check("spm-bpe-bytefallback",
                      tokenizerURL: Self.folder.appendingPathComponent("spm-bpe-bytefallback/tokenizer.json"))
    }

    func testWordPieceWithEverySplitBehaviourMatchesTokenizers() throws {
        _ = try check("wordpiece-splits",
                      tokenizerURL: Self.folder.appendingPathComponent("wordpiece-splits/tokenizer.json"))
    }

    func testBertCasedAsLaBSEMatchesTokenizers() throws {
        _ = try check("bert-cased", tokenizerURL: Self.folder.appendingPathComponent("bert-cased/tokenizer.json"))
    }

    func testBertUncasedMatchesTokenizers() throws {
        _ = try check("bert-uncased", tokenizerURL: Self.folder.appendingPathComponent("bert-uncased/tokenizer.json"))
    }

    func testPunctuationAndDigitsPreTokenizersMatchTokenizers() throws {
        _ = try check("bert-digits-punctuation",
                      tokenizerURL: Self.folder.appendingPathComponent("bert-digits-punctuation/tokenizer.json"))
    }

    /// The Hugging Face conversion of CLIP's BPE (written by scripts/setup.sh into the small CLIP
    /// folder; the generator checked it against transformers' own conversion) gives the
    /// `tokenizers` ids, and the same ids as Edgeflow's OpenAI CLIPTokenizer except on the texts
    /// strings.json marks (ftfy, HTML unescaping, Python's lowercasing).
    func testCLIPConversionMatchesTokenizersAndOpenAITokenizer() throws {
        let (goldens, _) = try load("clip")
        guard let url = TestData.fetchedFile(String(goldens.tokenizer.dropFirst(".testdata/".count))) else {
            throw XCTSkip("\(goldens.tokenizer) is missing: run scripts/setup.sh")
        }
        let (_, _, texts) = try check("clip", tokenizerURL: url)
        let openAI = try VocabularyFiles.tokenizer()
        var agreeing = 0
        for golden in goldens.cases {
            let item = try XCTUnwrap(texts[golden.name])
            let tokens = try openAI.tokenize(item.text, contextLength: 77)
            let ids = tokens.ids.enumerated().map { $0.offset < tokens.length ? $0.element : openAI.endToken }
            if let reason = item.openai_differs {
                XCTAssertNotEqual(ids, golden.immich, "\(golden.name) was expected to differ: \(reason)")
            } else {
                XCTAssertEqual(ids, golden.immich, "\(golden.name): OpenAI CLIPTokenizer vs tokenizer.json")
                agreeing += 1
            }
        }
        XCTAssertGreaterThanOrEqual(agreeing, 40)
    }
}
