// The text-encoder split against onnxruntime running the WHOLE generated tower: our tokenizer →
// CPU embedding lookup + positional add → the encoder part compiled and run by Edgeflow →
// end-of-text pooling, projection, L2 normalization (Tests/Goldens/clip_text_split).

import EFArchive
import EFCompiler
import EFCore
import EFONNX
import EFRuntime
import EFTestSupport
import EFText
import Foundation
import XCTest

final class TextEncoderSplitTests: XCTestCase {
    struct SplitGolden: Decodable {
        var model: String
        var model_sha256: String
        var encoder_model: String
        var encoder_model_sha256: String
        var encoder_input: String
        var encoder_output: String
        var initializers: [String: String]
        var input_texts: [String]
        var tolerance: Double
    }

    func testSplitPipelineMatchesTheWholeTowerInOnnxruntime() throws {
        let folder = TestData.goldens.appendingPathComponent("clip_text_split")
        let golden = try JSONDecoder().decode(SplitGolden.self, from: Data(contentsOf: folder.appendingPathComponent("golden.json")))
        let goldenCase = try GoldenCase.load("clip_text_split")
        let towerURL = goldenCase.file(golden.model), encoderURL = goldenCase.file(golden.encoder_model)
        guard FileManager.default.fileExists(atPath: towerURL.path) else {
            throw XCTSkip("\(golden.model) is missing: run scripts/setup.sh")
        }
        XCTAssertEqual(try SHA256.hex(ofFileAt: towerURL), golden.model_sha256,
                       "\(golden.model) differs from the goldens' model: rerun scripts/setup.sh or regenerate the goldens")
        XCTAssertEqual(try SHA256.hex(ofFileAt: encoderURL), golden.encoder_model_sha256,
                       "\(golden.encoder_model) differs from the goldens' model: regenerate the goldens")

        // Our tokenizer must give the reference tokenizer's ids.
        let tokenizer = try VocabularyFiles.tokenizer()
        let ids = try tokenizer.tokenizeBatch(golden.input_texts)
        let referenceIDs = try goldenCase.inputTensors()["input_ids"]!
        XCTAssertEqual(try ids.intValues(), try referenceIDs.intValues())

        // Matrices by name from the whole tower's initializers.
        let tower = try OnnxModel(contentsOf: towerURL)
        func matrix(_ role: String) throws -> Tensor {
            let name = try XCTUnwrap(golden.initializers[role])
            let initializer = try XCTUnwrap(tower.graph.initializers.first { $0.name == name }, "no initializer \(name)")
            return try initializer.toTensor(baseDirectory: nil)
        }
        let embedded = try TextEncoderSplit.addPositionalEmbedding(
            try TextEncoderSplit.embedTokens(ids, table: try matrix("token_embedding")), try matrix("positional_embedding"))

        let graph = try ONNXImporter.importModel(at: encoderURL, options: ImportOptions(inputShapes: [golden.encoder_input: embedded.shape]))
        let compiled = try ModelPipeline.compile(graph)
        let hidden = try XCTUnwrap(try ExecutionContext(program: compiled.program).run([golden.encoder_input: embedded])[golden.encoder_output])

        let pooled = try TextEncoderSplit.poolEndOfText(hidden, ids: ids)
        let embeddings = try TextEncoderSplit.l2Normalize(try TextEncoderSplit.project(pooled, try matrix("projection")))
        let expected = try XCTUnwrap(try goldenCase.referenceOutputs()["text_embeds"]?.tensor)
        XCTAssertEqual(embeddings.shape, expected.shape)
        let difference = maxAbsDifference(embeddings, expected)
        print("clip_text_split: split pipeline vs onnxruntime whole tower, max abs diff \(difference)")
        XCTAssertLessThanOrEqual(difference, golden.tolerance)
    }
}
