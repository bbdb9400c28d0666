// The CLIP vocabulary shipped as EFText's package resource: found without any path, the same
// bytes as the one scripts/setup.sh fetches, and tokenizing as CLIP does.

import EFCore
import EFTestSupport
import EFText
import Foundation
import XCTest

final class BundledVocabularyTests: XCTestCase {
    func testBundledVocabularyTokenizesWithoutAnyPath() throws {
        let url = try XCTUnwrap(CLIPTokenizer.bundledVocabularyURL, "no bundled vocabulary beside the test binary")
        XCTAssertEqual(url.lastPathComponent, "bpe_simple_vocab_16e6.txt.gz")
        let tokenizer = try CLIPTokenizer.bundled()
        let tokens = try tokenizer.tokenize("a photo of a woman")
        XCTAssertEqual(Array(tokens.ids.prefix(7)), [49406, 320, 1125, 539, 320, 2308, 49407])
        XCTAssertEqual(tokens.ids.count, 77)
    }

    func testBundledFileIsTheCommittedResource() throws {
        let url = try XCTUnwrap(CLIPTokenizer.bundledVocabularyURL)
        let committed = TestData.repoRoot
            .appendingPathComponent("Sources/EFText/Resources/bpe_simple_vocab_16e6.txt.gz")
        let bundled = try Data(contentsOf: url)
        XCTAssertEqual(bundled.count, 1_356_917)
        XCTAssertEqual(bundled, try Data(contentsOf: committed))
    }
}
