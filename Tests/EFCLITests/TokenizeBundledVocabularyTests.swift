// `edgeflow tokenize` with no --vocab and no fetched material: the vocabulary shipped as a
// package resource is used (a plain build is enough).

import EFTestSupport
import Foundation
import XCTest

final class TokenizeBundledVocabularyTests: XCTestCase {
    func testTokenizeWorksWithNoVocabularyPath() throws {
        let directory = try TestData.temporaryDirectory("edgeflow-cli-bundled-vocab")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["tokenize", "a photo of a woman", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let vocabulary = try XCTUnwrap(object["vocabulary"] as? String)
        XCTAssertTrue(vocabulary.hasSuffix("Edgeflow_EFText.resources/bpe_simple_vocab_16e6.txt.gz"), vocabulary)
        let ids = try XCTUnwrap((object["texts"] as? [[String: Any]])?.first?["ids"] as? [Int])
        XCTAssertEqual(Array(ids.prefix(7)), [49406, 320, 1125, 539, 320, 2308, 49407])
    }
}
