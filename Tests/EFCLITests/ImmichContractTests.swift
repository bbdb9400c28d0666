// The contract with Immich's server, played against the built `edgeflow serve-ml`: every request
// kind Immich's server sends (CLIP image and text, faces, OCR, several tasks in one request),
// laid out byte for byte as Node's FormData writes them, over one kept-alive connection as
// undici uses it; each answer validated the way Immich stores it (the embedding string a vector
// literal of the model's dimension, face boxes whole pixels, OCR arrays of matching lengths).

import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class ImmichContractTests: XCTestCase {
    private var root: URL!
    private var server: ServeProcess!

    override func setUpWithError() throws {
        root = try ImmichModelsFixture.make("immich-contract", ocrName: "PP-OCRv5_mobile")
        server = try ServeProcess(["--models", root.path, "--host", "127.0.0.1"], verb: ["serve-ml"], timeout: 600)
    }

    override func tearDownWithError() throws {
        if let server { XCTAssertEqual(server.stop(), 0, server.stderr) }
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// The dimension the CLIP folder's config.json declares (Immich sizes its vector column by it).
    private var clipDimension: Int {
        get throws {
            let data = try Data(contentsOf: root.appendingPathComponent("ViT-B-32__openai/config.json"))
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try XCTUnwrap(config["embed_dim"] as? Int)
        }
    }

    /// Parses an embedding as pgvector parses its text form: `[f,f,…]`, finite numbers only.
    private func vectorLiteral(_ value: Any?, dimension: Int, _ what: String) throws -> [Double] {
        let text = try XCTUnwrap(value as? String, "\(what): the embedding is a string")
        XCTAssertTrue(text.hasPrefix("[") && text.hasSuffix("]"), "\(what): \(text.prefix(40))")
        let numbers = text.dropFirst().dropLast().split(separator: ",").map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(numbers.count, dimension, "\(what): dimension")
        XCTAssertTrue(numbers.allSatisfy { $0?.isFinite == true }, "\(what): finite numbers only")
        return numbers.compactMap { $0 }
    }

    private func photo(_ relative: String) throws -> Data {
        try Data(contentsOf: try XCTUnwrap(TestData.fetchedFile(relative), relative))
    }

    func testEveryRequestKindOverOneKeptAliveConnection() throws {
        let connection = try KeepAliveConnection(port: try XCTUnwrap(server.url.port))
        let preview = try photo("photos/library-200/2016/2016-04-01 Zoo/DSC00010.jpg")
        let size = try ImageDecoder.decode(bytes: [UInt8](preview)).image

        // Smart search: the preview's CLIP embedding.
        var answer = try connection.predict(#"{"clip":{"visual":{"modelName":"ViT-B-32__openai","options":{}}}}"#,
                                            image: preview)
        XCTAssertEqual(answer.status, 200, answer.text)
        var json = try answer.object()
        let image = try vectorLiteral(json["clip"], dimension: try clipDimension, "clip visual")
        XCTAssertEqual(image.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
        XCTAssertEqual(json["imageWidth"] as? Int, size.width)
        XCTAssertEqual(json["imageHeight"] as? Int, size.height)

        // Search query: the text embedding, no image size.
        answer = try connection.predict(#"{"clip":{"textual":{"modelName":"ViT-B-32__openai","#
                                        + #""options":{"language":"en-US"}}}}"#, text: "a cat on a sofa")
        XCTAssertEqual(answer.status, 200, answer.text)
        json = try answer.object()
        _ = try vectorLiteral(json["clip"], dimension: try clipDimension, "clip textual")
        XCTAssertNil(json["imageWidth"])

        // Face detection + recognition: whole-pixel boxes, raw 512-d embeddings.
        var pixels = [UInt8](repeating: 30, count: 320 * 240 * 3)
        for y in 64..<96 { for x in 100..<132 { for c in 0..<3 { pixels[(y * 320 + x) * 3 + c] = 230 } } }
        let png = Data(try PNGEncoder.encode(try PixelImage(width: 320, height: 240, channels: 3, pixels: pixels)))
        answer = try connection.predict(#"{"facial-recognition":{"detection":{"modelName":"buffalo_l","options":"#
                                        + #"{"minScore":0.7}},"recognition":{"modelName":"buffalo_l","options":{}}}}"#,
                                        image: png)
        XCTAssertEqual(answer.status, 200, answer.text)
        json = try answer.object()
        let faces = try XCTUnwrap(json["facial-recognition"] as? [[String: Any]])
        XCTAssertFalse(faces.isEmpty)
        for face in faces {
            let box = try XCTUnwrap(face["boundingBox"] as? [String: Any])
            XCTAssertEqual(Set(box.keys), ["x1", "y1", "x2", "y2"])
            XCTAssertTrue(box.values.allSatisfy { ($0 as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() }
                                                  ?? false }, "integer columns in asset_face: \(box)")
            XCTAssertNotNil(face["score"] as? Double)
            _ = try vectorLiteral(face["embedding"], dimension: 512, "face")
        }
        XCTAssertEqual(json["imageWidth"] as? Int, 320)

        // OCR on a scanned page: equal-length arrays, 8 normalized corners per line.
        answer = try connection.predict(#"{"ocr":{"detection":{"modelName":"PP-OCRv5_mobile","options":"#
                                        + #"{"minScore":0.5,"maxResolution":736}},"recognition":"#
                                        + #"{"modelName":"PP-OCRv5_mobile","options":{"minScore":0.8}}}}"#,
                                        image: try photo("images/page.png"))
        XCTAssertEqual(answer.status, 200, answer.text)
        let ocr = try XCTUnwrap(try answer.object()["ocr"] as? [String: Any])
        let texts = try XCTUnwrap(ocr["text"] as? [String])
        XCTAssertFalse(texts.isEmpty, "page.png holds five lines of text")
        XCTAssertEqual((ocr["box"] as? [Double])?.count, 8 * texts.count)
        XCTAssertTrue((ocr["box"] as? [Double] ?? []).allSatisfy { (0...1).contains($0) })
        XCTAssertEqual((ocr["boxScore"] as? [Double])?.count, texts.count)
        XCTAssertEqual((ocr["textScore"] as? [Double])?.count, texts.count)

        // Several tasks in one request: one answer with both.
        answer = try connection.predict(#"{"clip":{"visual":{"modelName":"ViT-B-32__openai","options":{}}},"#
                                        + #""facial-recognition":{"detection":{"modelName":"buffalo_l","options":"#
                                        + #"{"minScore":0.7}},"recognition":{"modelName":"buffalo_l","options":{}}}}"#,
                                        image: png)
        XCTAssertEqual(answer.status, 200, answer.text)
        json = try answer.object()
        XCTAssertNotNil(json["clip"] as? String)
        XCTAssertEqual((json["facial-recognition"] as? [Any])?.count, faces.count)

        // An error keeps the connection usable (Immich marks the URL unhealthy and retries later).
        answer = try connection.predict(#"{"clip":{"visual":{"modelName":"no-such-model","options":{}}}}"#,
                                        image: png)
        XCTAssertEqual(answer.status, 500)
        XCTAssertNotNil(try answer.object()["detail"] as? String)
        answer = try connection.get("/ping")
        XCTAssertEqual(answer.text, "pong")
    }
}
