// Immich's four predict tasks answered in process by ImmichMLService on a models folder in
// Immich's layout (the generated small CLIP folder, the generated buffalo_l, real PP-OCRv4),
// the requests laid out as Immich's server sends them; answers checked the way Immich stores
// them, and against what each model gives on its own.

import EFCLI
import EFCore
import EFImmichML
import EFMedia
import EFTestSupport
import Foundation
import Synchronization
import XCTest

final class ImmichMLServiceTests: XCTestCase {
    private var root: URL!
    private var service: ImmichMLService!

    override func setUpWithError() throws {
        root = try ImmichModelsFixture.make("immich-models")
        service = ImmichMLService(models: ImmichModelFolders(root: root) { _ in })
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// The answer to `entries` with an image or a text, as a JSON object.
    private func predict(_ entries: String, image: Data? = nil, text: String? = nil) throws -> [String: Any] {
        let body = NodeFormData.body(entries: entries, image: image, text: text)
        let request = try PredictRequest(parts: try MultipartForm.parts(of: body, boundary: NodeFormData.boundary))
        let answer = try service.predict(request)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
    }

    /// A JSON-array string parsed (what Postgres does with it).
    private func vector(_ value: Any?) throws -> [Double] {
        let text = try XCTUnwrap(value as? String)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Double])
    }

    func testCLIPImageAndText() throws {
        let photo = try XCTUnwrap(TestData.fetchedFile("photos/library-200/2016/2016-04-01 Zoo/DSC00010.jpg"))
        let visual = try predict(#"{"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}"#,
                                 image: try Data(contentsOf: photo))
        let embedding = try vector(visual["clip"])
        XCTAssertFalse(embedding.isEmpty)
        XCTAssertEqual(embedding.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5, "L2-normalized")
        let decoded = try ImageDecoder.decode(contentsOf: photo)
        XCTAssertEqual(visual["imageWidth"] as? Int, decoded.image.width)
        XCTAssertEqual(visual["imageHeight"] as? Int, decoded.image.height)
        let text = try predict(#"{"clip":{"textual":{"modelName":"ViT-B-32__openai","options":{"language":"en"}}}}"#,
                               text: "a dog on a beach")
        XCTAssertEqual(try vector(text["clip"]).count, embedding.count)
        XCTAssertNil(text["imageWidth"])
    }

    /// An NLLB-CLIP model (by its name) gets the query after the FLORES-200 code of the request's
    /// language, as Immich writes it; other models ignore the language.
    func testNLLBModelsPutTheLanguageCodeBeforeTheText() throws {
        try FileManager.default.copyItem(at: root.appendingPathComponent("ViT-B-32__openai"),
                                         to: root.appendingPathComponent("nllb-clip-base-siglip__v1"))
        func embedding(_ model: String, _ text: String, _ language: String?) throws -> [Double] {
            let options = language.map { #"{"language":"\#($0)"}"# } ?? "{}"
            let entries = #"{"clip":{"textual":{"modelName":"\#(model)","options":\#(options)}}}"#
            return try vector(try predict(entries, text: text)["clip"])
        }
        let nllb = "nllb-clip-base-siglip__v1"
        let german = try embedding(nllb, "  ein Hund  am Strand", "de-AT")
        XCTAssertEqual(german, try embedding(nllb, "deu_Latnein Hund am Strand", nil),
                       "the code, then the cleaned text")
        XCTAssertNotEqual(german, try embedding(nllb, "ein Hund am Strand", nil))
        XCTAssertEqual(try embedding(nllb, "a dog", "xx"), try embedding(nllb, "eng_Latna dog", nil),
                       "an unknown locale: English")
        let plain = try embedding("ViT-B-32__openai", "ein Hund am Strand", nil)
        XCTAssertEqual(try embedding("ViT-B-32__openai", "ein Hund am Strand", "de"), plain, "not an NLLB model")
    }

    /// An M-CLIP folder (its text tower takes `input_ids` and `attention_mask`, its tokenizer an
    /// XLM-Roberta Unigram) against onnxruntime on the ids and mask Immich's tokenizer gives
    /// (Tests/Goldens/mclip, made by tools/goldens/make_mclip_goldens.py).
    func testMCLIPTextTowersGetIdsAndAttentionMask() throws {
        try checkMCLIPFolder("XLM-Roberta-Large-Vit-B-32", goldens: "mclip", tokenizer: "xlmr-unigram")
    }

    /// LaBSE's M-CLIP layout: a BERT WordPiece tokenizer.json (BertNormalizer, cased, CJK split,
    /// pad [PAD]) in front of the same kind of tower (Tests/Goldens/mclip-labse).
    func testMCLIPLaBSETextTowerGetsBertTokens() throws {
        try checkMCLIPFolder("LABSE-Vit-L-14", goldens: "mclip-labse", tokenizer: "bert-cased")
    }

    private func checkMCLIPFolder(_ name: String, goldens folder: String, tokenizer: String) throws {
        let goldens = try makeMCLIPFolder(name, goldens: folder, tokenizer: tokenizer)
        for golden in goldens.cases {
            let entries = #"{"clip":{"textual":{"modelName":""# + name + #"","options":{}}}}"#
            let embedding = try vector(try predict(entries, text: golden.text)["clip"])
            XCTAssertEqual(embedding.count, golden.embedding.count)
            let worst = zip(embedding, golden.embedding).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, "\"\(golden.text)\"")
        }
    }

    /// A two-input text tower whose inputs are not M-CLIP's pair is refused by name, not guessed at.
    func testATextTowerWithOtherTwoInputsIsRefused() throws {
        _ = try makeMCLIPFolder("odd-text-tower") { onnx in
            // "attention_mask" → "attention_maze": the same length, so the protobuf stays valid.
            let from = Data("attention_mask".utf8), to = Data("attention_maze".utf8)
            var bytes = onnx
            while let range = bytes.range(of: from) { bytes.replaceSubrange(range, with: to) }
            return bytes
        }
        let entries = #"{"clip":{"textual":{"modelName":"odd-text-tower","options":{}}}}"#
        XCTAssertThrowsError(try predict(entries, text: "a dog")) { error in
            XCTAssertTrue("\(error)".contains("input_ids and attention_mask"), "\(error)")
        }
    }

    private struct MCLIPGoldens: Decodable {
        struct Case: Decodable { var text: String; var embedding: [Double] }
        var context_length: Int
        var cases: [Case]
    }

    /// A folder `name` in the models root: the small CLIP folder's image tower, the generated
    /// M-CLIP text tower of Tests/Goldens/`goldens` (its bytes through `edit`) with the tokenizer
    /// of Tests/Goldens/hf-tokenizers/`tokenizer`, and config.json's context length set to the tower's.
    private func makeMCLIPFolder(_ name: String, goldens goldensFolder: String = "mclip",
                                 tokenizer: String = "xlmr-unigram",
                                 edit: (Data) -> Data = { $0 }) throws -> MCLIPGoldens {
        let goldens = try JSONDecoder().decode(MCLIPGoldens.self, from: Data(contentsOf: TestData.goldens
            .appendingPathComponent(goldensFolder).appendingPathComponent("goldens.json")))
        let folder = root.appendingPathComponent(name)
        try FileManager.default.copyItem(at: root.appendingPathComponent("ViT-B-32__openai"), to: folder)
        let textual = folder.appendingPathComponent("textual")
        try FileManager.default.removeItem(at: textual)
        try FileManager.default.createDirectory(at: textual, withIntermediateDirectories: true)
        let tokenizerFolder = TestData.goldens.appendingPathComponent("hf-tokenizers").appendingPathComponent(tokenizer)
        for file in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: tokenizerFolder.appendingPathComponent(file),
                                             to: textual.appendingPathComponent(file))
        }
        let onnx = try Data(contentsOf: TestData.goldens.appendingPathComponent(goldensFolder)
            .appendingPathComponent("model.onnx"))
        try edit(onnx).write(to: textual.appendingPathComponent("model.onnx"))
        let configURL = folder.appendingPathComponent("config.json")
        var config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL))
            as? [String: Any])
        var text = try XCTUnwrap(config["text_cfg"] as? [String: Any])
        text["context_length"] = goldens.context_length
        config["text_cfg"] = text
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        return goldens
    }

    func testFacesAreDetectedAlignedAndEmbedded() throws {
        var pixels = [UInt8](repeating: 30, count: 320 * 320 * 3)
        for y in 64..<96 { for x in 64..<96 { for c in 0..<3 { pixels[(y * 320 + x) * 3 + c] = 230 } } }
        let png = Data(try PNGEncoder.encode(try PixelImage(width: 320, height: 320, channels: 3, pixels: pixels)))
        let answer = try predict(#"{"facial-recognition":{"detection":{"modelName":"buffalo_l","options":"#
                                 + #"{"minScore":0.7}},"recognition":{"modelName":"buffalo_l"}}}"#, image: png)
        let faces = try XCTUnwrap(answer["facial-recognition"] as? [[String: Any]])
        XCTAssertFalse(faces.isEmpty, "the light square is a face to the generated detector")
        for face in faces {
            let box = try XCTUnwrap(face["boundingBox"] as? [String: Double])
            XCTAssertTrue(box.values.allSatisfy { $0 == $0.rounded() }, "whole pixels: \(box)")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(face["score"] as? Double), 0.7)
            XCTAssertEqual(try vector(face["embedding"]).count, 512)
        }
    }

    /// A dark PNG with a light 32-pixel square (a face to the generated detector) per corner.
    private func facesPhoto(_ corners: [(Int, Int)]) throws -> Data {
        var pixels = [UInt8](repeating: 30, count: 640 * 320 * 3)
        for (left, top) in corners {
            for y in top..<(top + 32) {
                for x in left..<(left + 32) { for c in 0..<3 { pixels[(y * 640 + x) * 3 + c] = 230 } }
            }
        }
        return Data(try PNGEncoder.encode(try PixelImage(width: 640, height: 320, channels: 3, pixels: pixels)))
    }

    func testFacesOfConcurrentRequestsRunInBatchesWithTheSameEmbeddings() throws {
        let entries = #"{"facial-recognition":{"detection":{"modelName":"buffalo_l","options":"#
            + #"{"minScore":0.7}},"recognition":{"modelName":"buffalo_l"}}}"#
        let photos = try (0..<4).map { shift in
            try facesPhoto([(64, 64), (192 + 8 * shift, 64), (320, 160), (448, 96 + 8 * shift), (544, 224)])
        }
        // One face at a time: the reference.
        let single = ImmichMLService(models: ImmichModelFolders(root: root, faceBatchSize: 1) { _ in })
        func answer(_ service: ImmichMLService, _ photo: Data) throws -> [[Double]] {
            let body = NodeFormData.body(entries: entries, image: photo)
            let request = try PredictRequest(parts: try MultipartForm.parts(of: body, boundary: NodeFormData.boundary))
            let json = try JSONSerialization.jsonObject(with: try service.predict(request)) as? [String: Any]
            return try XCTUnwrap(json?["facial-recognition"] as? [[String: Any]]).map { try vector($0["embedding"]) }
        }
        let expected = try photos.map { try answer(single, $0) }
        XCTAssertTrue(expected.allSatisfy { $0.count >= 4 }, "several faces per photo: \(expected.map(\.count))")

        let notes = Mutex<[String]>([])
        let folders = ImmichModelFolders(root: root, faceBatchSize: 4) { line in notes.withLock { $0.append(line) } }
        XCTAssertEqual(try folders.faceRecognizer("buffalo_l").batchSize, 4, notes.withLock { $0.joined() })
        let batched = ImmichMLService(models: folders)
        let results = Array(repeating: [[Double]](), count: 8)
        let answers = UnsafeMutableBufferPointer<[[Double]]>.allocate(capacity: 8)
        _ = answers.initialize(from: results)
        defer { answers.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            answers[index] = (try? answer(batched, photos[index % 4])) ?? []
        }
        for index in 0..<8 {
            let got = answers[index], want = expected[index % 4]
            XCTAssertEqual(got.count, want.count, "request \(index)")
            for (a, b) in zip(got, want) {
                let scale = b.map(abs).max() ?? 1
                XCTAssertLessThanOrEqual(zip(a, b).map { abs($0 - $1) }.max() ?? 1, 1e-4 * scale, "request \(index)")
            }
        }
    }

    func testOCRFindsThePrintedWords() throws {
        guard TestData.isOptimizedBuild else { throw XCTSkip("PP-OCR on a 1280×960 photo: release tier") }
        let photo = try XCTUnwrap(TestData.fetchedFile("photos/library-200/2017/2017-07-04 Hiking trip/PXL_00007.jpg"))
        let entries = #"{"ocr":{"detection":{"modelName":"PP-OCRv4","options":{"minScore":0.5,"maxResolution":736}},"#
            + #""recognition":{"modelName":"PP-OCRv4","options":{"minScore":0.8}}}}"#
        let answer = try predict(entries, image: try Data(contentsOf: photo))
        let ocr = try XCTUnwrap(answer["ocr"] as? [String: Any])
        let texts = try XCTUnwrap(ocr["text"] as? [String])
        XCTAssertEqual(Set(texts), ["GATE 12", "TICKET"], "the words make_library.py printed on it")
        let box = try XCTUnwrap(ocr["box"] as? [Double])
        XCTAssertEqual(box.count, 8 * texts.count)
        XCTAssertTrue(box.allSatisfy { (0...1).contains($0) })
        XCTAssertEqual((ocr["boxScore"] as? [Double])?.count, texts.count)
        XCTAssertTrue((ocr["textScore"] as? [Double] ?? []).allSatisfy { $0 > 0.8 })
    }

    func testUnknownModelsAndBadImagesGetImmichsStatuses() throws {
        let photo = try Data(contentsOf: XCTUnwrap(TestData.fetchedFile(
            "photos/library-200/2016/2016-04-01 Zoo/DSC00010.jpg")))
        XCTAssertThrowsError(try predict(#"{"clip":{"visual":{"modelName":"ViT-H-14__nowhere"}}}"#, image: photo)) {
            XCTAssertEqual(($0 as? PredictError)?.status, 500)
            XCTAssertTrue("\($0)".contains("there: PP-OCRv4, ViT-B-32__openai, buffalo_l"), "\($0)")
        }
        XCTAssertThrowsError(try predict(#"{"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}"#,
                                         image: Data([0xFF, 0xD8, 0xFF]))) {
            XCTAssertEqual(($0 as? PredictError)?.status, 400, "\($0)")
        }
        XCTAssertThrowsError(try predict(#"{"clip":{"textual":{"modelName":"ViT-B-32__openai"}}}"#, image: photo)) {
            XCTAssertEqual(($0 as? PredictError)?.status, 400, "\($0)")
        }
    }
}
