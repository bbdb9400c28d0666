// The language prefix of NLLB-CLIP queries against the Hugging Face `tokenizers` library:
// Tests/Goldens/hf-tokenizers/nllb-prefix (made by tools/goldens/make_nllb_prefix_goldens.py)
// holds, per text and web-page locale, the FLORES-200 code Immich picks and the ids its
// OpenClipTextualEncoder feeds the tower (cleaned text after the code, padded, truncated), for a
// SentencePiece BPE tokenizer that carries the codes as special tokens, as NLLB's does.

import EFTestSupport
import EFText
import Foundation
import XCTest

final class NLLBPrefixGoldenTests: XCTestCase {
    struct Goldens: Decodable {
        struct Case: Decodable {
            var text: String
            var locale: String
            var code: String
            var code_id: Int32
            var immich: [Int32]
        }
        var context_length: Int
        var pad_id: Int32
        var cases: [Case]
    }

    func testPrefixedQueriesMatchTokenizers() throws {
        let folder = TestData.goldens.appendingPathComponent("hf-tokenizers/nllb-prefix")
        let goldens = try JSONDecoder().decode(Goldens.self,
                                               from: Data(contentsOf: folder.appendingPathComponent("goldens.json")))
        let tokenizer = try HFTokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        let immich = ImmichTextTokenizer(tokenizer: tokenizer, contextLength: goldens.context_length,
                                         padID: goldens.pad_id)
        XCTAssertGreaterThanOrEqual(goldens.cases.count, 16)
        for golden in goldens.cases {
            let code = NLLBLanguage.floresCode(forLocale: golden.locale).code
            XCTAssertEqual(code, golden.code, "locale \"\(golden.locale)\"")
            XCTAssertEqual(tokenizer.id(of: code), golden.code_id, "\(code) is one token")
            let tokens = try immich.tokenize(golden.text, prefix: code)
            XCTAssertEqual(tokens.ids, golden.immich, "\"\(golden.text)\" in \"\(golden.locale)\"")
        }
    }

    /// The fallbacks Immich's lookup makes: the language without its country, else English.
    func testLocalesFallBackAsImmichDoes() {
        XCTAssertTrue(NLLBLanguage.floresCode(forLocale: "de-AT") == ("deu_Latn", true))
        XCTAssertTrue(NLLBLanguage.floresCode(forLocale: "pt-BR") == ("por_Latn", true))
        XCTAssertTrue(NLLBLanguage.floresCode(forLocale: "nb") == ("eng_Latn", false), "only nb-NO is listed")
        XCTAssertTrue(NLLBLanguage.floresCode(forLocale: "") == ("eng_Latn", false))
        XCTAssertTrue(NLLBLanguage.usesPrefix(modelName: "nllb-clip-base-siglip__v1"))
        XCTAssertFalse(NLLBLanguage.usesPrefix(modelName: "ViT-B-32__openai"))
    }
}
