// `edgeflow serve-ml` as Immich's server meets it: the built binary on a free port, /ping and /,
// a CLIP request laid out byte for byte as Node's FormData writes it, the answer parsed the way
// Immich stores it; refusals with Immich's statuses; malformed and oversized requests that leave
// the server up; SIGTERM stops it cleanly.

import EFTestSupport
import Foundation
import XCTest

final class ServeMLTests: XCTestCase {
    private func startServer(environment: [String: String] = [:]) throws -> (ServeProcess, URL) {
        guard let clip = TestData.fetchedFile("models/clip-folder-small/ViT-B-32__openai") else {
            throw XCTSkip("scripts/setup.sh makes the small CLIP folder; it has not run")
        }
        let root = try TestData.temporaryDirectory("serve-ml")
        try FileManager.default.copyItem(at: clip, to: root.appendingPathComponent("ViT-B-32__openai"))
        let server = try ServeProcess(["--models", root.path, "--host", "127.0.0.1"], verb: ["serve-ml"],
                                      environment: environment.merging(
                                        ["MACHINE_LEARNING_PRELOAD__CLIP__TEXTUAL": "ViT-B-32__openai"]) { a, _ in a })
        return (server, root)
    }

    /// A POST /predict as Immich's server sends it (undici's FormData layout), raw over TCP.
    private func predict(_ server: ServeProcess, entries: String,
                         text: String) throws -> (status: Int, body: String) {
        let body = NodeFormData.body(entries: entries, text: text)
        let head = "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Content-Type: multipart/form-data; boundary=\(NodeFormData.boundary)\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        return Self.parse(try server.raw(Array(head.utf8) + [UInt8](body)))
    }

    private static func parse(_ answer: String) -> (status: Int, body: String) {
        let status = Int(answer.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    func testImmichsRequestsAreAnswered() throws {
        let (server, root) = try startServer()
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(try server.get("/ping").text, "pong")
        XCTAssertEqual(try server.get("/").json()["message"] as? String, "Immich ML")
        XCTAssertTrue(server.stderr.contains("preloaded ViT-B-32__openai"), server.stderr)

        let answer = try predict(server, entries: #"{"clip":{"textual":{"modelName":"ViT-B-32__openai","#
                                     + #""options":{"language":"en"}}}}"#, text: "a dog on a beach")
        XCTAssertEqual(answer.status, 200, answer.body)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        let literal = try XCTUnwrap(object["clip"] as? String, "the embedding is a string Immich hands to pgvector")
        let vector = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(literal.utf8)) as? [Double])
        XCTAssertEqual(vector.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)

        let bad = try predict(server, entries: "{not json", text: "x")
        XCTAssertEqual(bad.status, 422)
        XCTAssertTrue(bad.body.contains("Invalid request format"), bad.body)
        let unknown = try predict(server, entries: #"{"clip":{"textual":{"modelName":"nowhere"}}}"#, text: "x")
        XCTAssertEqual(unknown.status, 500)
        XCTAssertTrue(unknown.body.contains("Failed to load model 'nowhere'"), unknown.body)
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    func testMalformedAndOversizedRequestsLeaveTheServerUp() throws {
        let (server, root) = try startServer()
        defer { try? FileManager.default.removeItem(at: root) }
        let huge = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            + "Content-Length: 999999999999\r\nConnection: close\r\n\r\n"
        XCTAssertEqual(Self.parse(try server.raw(Array(huge.utf8))).status, 413)
        let notForm = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            + "Connection: close\r\n\r\n{}"
        XCTAssertEqual(Self.parse(try server.raw(Array(notForm.utf8))).status, 400)
        // A 400, or nothing when the reply is lost in the reset of a connection with unread bytes.
        XCTAssertTrue([0, 400].contains(Self.parse(try server.raw(Array("\u{1}\u{2}garbage\r\n\r\n".utf8))).status))
        XCTAssertEqual(Self.parse(try server.raw(Array("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                                        .utf8))).status, 404)
        let noInput = try predict(server, entries: #"{"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}"#, text: "x")
        XCTAssertEqual(noInput.status, 400, "clip visual without an image")
        XCTAssertEqual(try server.get("/ping").text, "pong", "still up")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    func testModelsAreUnloadedAfterTheTTLAndLoadedAgainOnDemand() throws {
        let (server, root) = try startServer(environment: ["MACHINE_LEARNING_MODEL_TTL": "1",
                                                           "MACHINE_LEARNING_MODEL_TTL_POLL_S": "1"])
        defer { try? FileManager.default.removeItem(at: root) }
        let entries = #"{"clip":{"textual":{"modelName":"ViT-B-32__openai"}}}"#
        let first = try predict(server, entries: entries, text: "a dog")
        XCTAssertEqual(first.status, 200, first.body)
        let deadline = Date().addingTimeInterval(15)
        while !server.stderr.contains("unloaded clip:ViT-B-32__openai"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertTrue(server.stderr.contains("unloaded clip:ViT-B-32__openai (unused for 1 s)"), server.stderr)
        let again = try predict(server, entries: entries, text: "a dog")
        XCTAssertEqual(again.status, 200, again.body)
        XCTAssertEqual(again.body, first.body, "the reloaded model answers as before")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }
}
