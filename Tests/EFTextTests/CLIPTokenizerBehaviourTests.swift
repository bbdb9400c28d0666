// Tokenizer behaviour beyond the goldens: truncation errors, batches, decode, bad vocabularies,
// concurrent use.

import EFCore
import EFTestSupport
import EFText
import Foundation
import XCTest

final class CLIPTokenizerBehaviourTests: XCTestCase {
    func testOverlongTextWithoutTruncationThrowsNamingTextAndLength() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        let text = Array(repeating: "a", count: 80).joined(separator: " ")
        XCTAssertThrowsError(try tokenizer.tokenize(text, truncate: false)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
            XCTAssertTrue("\(error)".contains("82 tokens"), "\(error)")
            XCTAssertTrue("\(error)".contains("\"a a a"), "\(error)")
        }
        let cut = try tokenizer.tokenize(text)
        XCTAssertTrue(cut.truncated)
        XCTAssertEqual(cut.ids.last, tokenizer.endToken)
        XCTAssertThrowsError(try tokenizer.tokenize("a", contextLength: 1))
    }

    func testBatchTensorShapesAndDtypes() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        let batch = try tokenizer.tokenizeBatch(["a photo of a man", "a photo of a woman"])
        XCTAssertEqual(batch.dtype, .int64)
        XCTAssertEqual(batch.shape, [2, 77])
        XCTAssertEqual(Array(try batch.intValues()[77..<84]), [49406, 320, 1125, 539, 320, 2308, 49407])
        XCTAssertEqual(try tokenizer.tokenizeBatch(["x"], dtype: .int32).dtype, .int32)
        XCTAssertThrowsError(try tokenizer.tokenizeBatch(["x"], dtype: .float32))
        XCTAssertThrowsError(try tokenizer.tokenizeBatch([]))
    }

    func testDecodeSkipsIdsOutsideTheVocabulary() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        XCTAssertEqual(tokenizer.decode([320, -1, 99_999, 1125]), "a photo ")
        XCTAssertEqual(tokenizer.decode([tokenizer.startToken]), "<|startoftext|>")
    }

    func testBadVocabularyFilesThrow() throws {
        let directory = try TestData.temporaryDirectory("edgeflow-text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: directory.appendingPathComponent("missing.txt"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
        let garbage = directory.appendingPathComponent("garbage.txt")
        try Data("#version: 0.2\nhello world\nx y\n".utf8).write(to: garbage)
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: garbage)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput, "\(error)")
        }
        let truncatedGzip = directory.appendingPathComponent("truncated.txt.gz")
        let real = try Data(contentsOf: try VocabularyFiles.url())
        try real.prefix(real.count / 20).write(to: truncatedGzip)
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: truncatedGzip))
    }

    func testConcurrentEncodingAgrees() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        let texts = (0..<32).map { "photo number \($0) of a cat sitting on a mat, très joli 🐱" }
        let expected = texts.map(tokenizer.encode)
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: texts.count) { results[$0] = tokenizer.encode(texts[$0]) }
        XCTAssertEqual(Array(results), expected)
    }
}
