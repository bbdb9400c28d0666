// A CLIP folder with textual/tokenizer.json tokenizes queries with it (as Immich always does):
// the embedding of a text equals the text tower's output on the ids the `tokenizers` library
// gives for it (Tests/Goldens/hf-tokenizers/clip); without the file the bundled OpenAI BPE is
// used; a damaged tokenizer.json stops the load with an error naming it.

import EFCLI
import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class CLIPFolderTokenizerTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        guard let clip = TestData.fetchedFile("models/clip-folder-small/ViT-B-32__openai") else {
            throw XCTSkip("scripts/setup.sh makes the small CLIP folder; it has not run")
        }
        root = try TestData.temporaryDirectory("clip-tokenizer")
        try FileManager.default.copyItem(at: clip, to: root.appendingPathComponent("ViT-B-32__openai"))
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private var textual: URL { root.appendingPathComponent("ViT-B-32__openai/textual") }

    private func load() throws -> CLIPModel {
        try ImmichModelFolders(root: root) { _ in }.clip("ViT-B-32__openai")
    }

    /// (text, ids from `tokenizers` as Immich pads them) of the golden cases named.
    private func goldenIDs(_ names: [String]) throws -> [(String, [Int32])] {
        struct Strings: Decodable { struct Item: Decodable { var name, text: String }; var strings: [Item] }
        struct Goldens: Decodable {
            struct Case: Decodable { var name: String; var immich: [Int32] }
            var cases: [Case]
        }
        let folder = TestData.goldens.appendingPathComponent("hf-tokenizers")
        let strings = try JSONDecoder().decode(Strings.self, from: Data(contentsOf: folder
            .appendingPathComponent("strings.json")))
        let goldens = try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: folder
            .appendingPathComponent("clip/goldens.json")))
        return try names.map { name in
            (try XCTUnwrap(strings.strings.first { $0.name == name }).text,
             try XCTUnwrap(goldens.cases.first { $0.name == name }).immich)
        }
    }

    private func towerEmbedding(_ model: CLIPModel, _ ids: [Int32]) throws -> [Float] {
        let textual = try XCTUnwrap(model.textual)
        let input = textual.inputs[0]
        let tensor = input.dtype == .int32 ? Tensor(shape: input.shape, scalars: ids)
            : Tensor(shape: input.shape, scalars: ids.map(Int64.init))
        let values: [Float] = try XCTUnwrap(textual.run([input.name: tensor])[textual.outputs[0].name]).scalars()
        let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        return values.map { Float(Double($0) / norm) }
    }

    func testTokenizerJSONFeedsTheTextTower() throws {
        let model = try load()
        XCTAssertTrue(model.usesTokenizerJSON)
        // greek_final_sigma: the Hugging Face ids differ from OpenAI's there, so this shows which tokenizer ran.
        for (text, ids) in try goldenIDs(["plain", "whitespace_runs", "greek_final_sigma", "long_text"]) {
            let embedded = try model.embed(text: text).vector
            let expected = try towerEmbedding(model, ids)
            XCTAssertEqual(embedded, expected, text)
        }
    }

    func testFolderWithoutTokenizerJSONUsesTheOpenAIBPE() throws {
        try FileManager.default.removeItem(at: textual.appendingPathComponent("tokenizer.json"))
        let model = try load()
        XCTAssertFalse(model.usesTokenizerJSON)
        let cases = try goldenIDs(["plain", "greek_final_sigma"])
        XCTAssertEqual(try model.embed(text: cases[0].0).vector, try towerEmbedding(model, cases[0].1))
        XCTAssertNotEqual(try model.embed(text: cases[1].0).vector, try towerEmbedding(model, cases[1].1))
    }

    func testDamagedTokenizerJSONIsNamed() throws {
        let damaged = Data(#"{"model": {"type": "BPE", "vocab": "#.utf8)
        try damaged.write(to: textual.appendingPathComponent("tokenizer.json"))
        XCTAssertThrowsError(try load()) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.json"), "\(error)")
        }
    }
}
