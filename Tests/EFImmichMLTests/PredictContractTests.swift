// The entries Immich's server sends (exactly as JSON.stringify writes them) decode into tasks;
// bad entries get Immich's statuses; answers have the shapes Immich stores unparsed.

import EFCore
import EFImmichML
import Foundation
import XCTest

final class PredictContractTests: XCTestCase {
    private func request(_ entries: String, image: [UInt8]? = [1, 2, 3], text: String? = nil) throws -> PredictRequest {
        let body = MultipartFormTests.nodeBody(entries: entries, image: image, text: text)
        return try PredictRequest(parts: try MultipartForm.parts(of: body, boundary: MultipartFormTests.boundary))
    }

    func testTheServersEntriesDecode() throws {
        XCTAssertEqual(try request(#"{"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}"#).tasks,
                       [.clipVisual(model: "ViT-B-32__openai")])
        let text = try request(#"{"clip":{"textual":{"modelName":"ViT-B-32__openai","options":{"language":"en"}}}}"#,
                               image: nil, text: "a dog")
        XCTAssertEqual(text.tasks, [.clipTextual(model: "ViT-B-32__openai", language: "en")])
        XCTAssertEqual(text.input, .text("a dog"))
        let faces = #"{"facial-recognition":{"detection":{"modelName":"buffalo_l","options":{"minScore":0.7}},"#
            + #""recognition":{"modelName":"buffalo_l"}}}"#
        XCTAssertEqual(try request(faces).tasks,
                       [.faces(detection: "buffalo_l", minScore: 0.7, recognition: "buffalo_l")])
        let ocr = #"{"ocr":{"detection":{"modelName":"PP-OCRv5_mobile","options":{"minScore":0.5,"#
            + #""maxResolution":736}},"recognition":{"modelName":"PP-OCRv5_mobile","options":{"minScore":0.8}}}}"#
        XCTAssertEqual(try request(ocr).tasks, [.ocr(detection: "PP-OCRv5_mobile", minScore: 0.5, maxResolution: 736,
                                                     recognition: "PP-OCRv5_mobile", minTextScore: 0.8)])
        XCTAssertEqual(PredictRequest.cleanModelName("immich-app/XLM-Roberta-Large-Vit-B-16Plus"),
                       "XLM-Roberta-Large-Vit-B-16Plus")
        XCTAssertEqual(PredictRequest.cleanModelName("nllb-clip-base-siglip__v1"), "nllb-clip-base-siglip__v1")
        XCTAssertEqual(PredictRequest.cleanModelName("a:b\\c.d"), "a_b_cd")
    }

    func testBadRequestsGetImmichsStatuses() throws {
        func status(_ entries: String, image: [UInt8]? = [1], text: String? = nil) -> Int? {
            do {
                _ = try request(entries, image: image, text: text)
                return nil
            } catch {
                return (error as? PredictError)?.status
            }
        }
        XCTAssertEqual(status("not json"), 422)
        XCTAssertEqual(status("[]"), 422)
        XCTAssertEqual(status("{}"), 422)
        XCTAssertEqual(status(#"{"clip":{"visual":{}}}"#), 422)
        XCTAssertEqual(status(#"{"clip":{"audio":{"modelName":"x"}}}"#), 422)
        XCTAssertEqual(status(#"{"sound":{"visual":{"modelName":"x"}}}"#), 422)
        XCTAssertEqual(status(#"{"ocr":{"detection":{"modelName":"x","options":{"maxResolution":1e9}}}}"#), 422)
        XCTAssertEqual(status(#"{"ocr":{"detection":{"modelName":"x","options":{"minScore":"high"}}}}"#), 422)
        XCTAssertEqual(status(#"{"facial-recognition":{"recognition":{"modelName":"buffalo_l"}}}"#), 400)
        XCTAssertEqual(status(#"{"clip":{"visual":{"modelName":"x"}}}"#, image: nil), 400)
        XCTAssertEqual(status(#"{"clip":{"visual":{"modelName":"\#(String(repeating: "x", count: 300))"}}}"#), 422)
        XCTAssertThrowsError(try PredictRequest(parts: [])) { XCTAssertEqual(($0 as? PredictError)?.status, 422) }
        // Unknown option keys are ignored, as Immich's server never sends any.
        XCTAssertNil(status(#"{"clip":{"textual":{"modelName":"x","options":{"future":1}}}}"#, image: nil, text: "t"))
    }

    func testAnswersHaveTheShapesImmichStores() throws {
        var answer = PredictAnswer()
        answer.setImageSize(width: 1440, height: 1080)
        try answer.setCLIP([0.5, -0.25, 1e-5])
        try answer.setFaces([AnsweredFace(box: [412.4, 117.6, 530.5, 270.2], score: 0.93, embedding: [3, -4])])
        try answer.setText([AnsweredText(text: "Gate \"12\"", corners: [144, 108, 288, 108, 288, 216, 144, 216],
                                         boxScore: 0.91, textScore: 0.99)], imageWidth: 1440, imageHeight: 1080)
        let json = String(decoding: try answer.json(), as: UTF8.self)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["clip"] as? String, "[0.5,-0.25,1e-05]")
        XCTAssertEqual(object["imageWidth"] as? Int, 1440)
        let face = try XCTUnwrap((object["facial-recognition"] as? [[String: Any]])?.first)
        let box = try XCTUnwrap(face["boundingBox"] as? [String: Double])
        XCTAssertEqual([box["x1"], box["y1"], box["x2"], box["y2"]], [412, 118, 531, 270])
        XCTAssertEqual(face["embedding"] as? String, "[3.0,-4.0]")
        XCTAssertTrue(json.contains(#""score":0.93"#), json)
        let ocr = try XCTUnwrap(object["ocr"] as? [String: Any])
        XCTAssertEqual(ocr["text"] as? [String], ["Gate \"12\""])
        XCTAssertEqual(ocr["box"] as? [Double], [0.1, 0.1, 0.2, 0.1, 0.2, 0.2, 0.1, 0.2])
        XCTAssertThrowsError(try answer.setCLIP([.nan])) { XCTAssertEqual(($0 as? PredictError)?.status, 500) }
    }
}
