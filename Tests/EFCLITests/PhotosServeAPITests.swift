// `edgeflow photos serve` over HTTP against a real server on a free port: search by text, by
// example (like=ID) and by date; thumbnails and full images by id only; the status; validation
// of every parameter; malformed and oversized requests refused while the server stays up;
// date listing without a model; SIGTERM stops it cleanly.

import EFMedia
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosServeAPITests: XCTestCase {
    func testSearchThumbnailsImagesAndStatus() throws {
        let fixture = try ServeLibrary.shared()
        let server = try ServeProcess(["--library", fixture.library, "--model", fixture.model])
        defer { server.stop() }
        let library = try PhotoLibrary(path: fixture.library, create: false)
        let photos = try library.photos()
        let readable = photos.filter { $0.lastError == nil }

        let status = try server.get("/api/status").json()
        XCTAssertEqual(status["photos"] as? Int, photos.count)
        XCTAssertEqual(status["unreadable"] as? Int, photos.count - readable.count)
        XCTAssertEqual(status["model"] as? String, "ViT-B-32__openai")
        XCTAssertEqual((status["embedded"] as? [String: Int])?["ViT-B-32__openai"], readable.count)
        XCTAssertEqual((status["lastRun"] as? [String: Any])?["status"] as? String, "complete")

        let text = try server.get("/api/search?q=a%20red%20car&not=people&not=text&limit=5")
        XCTAssertEqual(text.status, 200, text.text)
        let hits = try XCTUnwrap(try text.json()["results"] as? [[String: Any]])
        XCTAssertEqual(hits.count, 5)
        let scores = hits.compactMap { $0["score"] as? Double }
        XCTAssertEqual(scores, scores.sorted(by: >))
        // This library was indexed without a text reader: no photo shows words yet.
        let words = try server.get("/api/search?q=a%20red%20car&words=gate%2012")
        XCTAssertEqual(words.status, 200, words.text)
        XCTAssertEqual((try words.json()["results"] as? [[String: Any]])?.count, 0)
        for key in ["id", "path", "score", "date", "width", "height"] { XCTAssertNotNil(hits[0][key], key) }

        let example = try XCTUnwrap(readable.first)
        let like = try XCTUnwrap(try server.get("/api/search?like=\(example.id)&limit=3").json()["results"]
                                    as? [[String: Any]])
        XCTAssertEqual(like.first?["id"] as? Int, Int(example.id))
        XCTAssertGreaterThan(like.first?["score"] as? Double ?? 0, 0.9999)

        let dated = try XCTUnwrap(try server.get("/api/search?after=2016-01-01&before=2017-01-01&limit=1000")
                                    .json()["results"] as? [[String: Any]])
        let dates = dated.compactMap { $0["date"] as? String }
        XCTAssertFalse(dates.isEmpty)
        XCTAssertTrue(dates.allSatisfy { $0.hasPrefix("2016") }, "\(dates)")
        XCTAssertEqual(dates, dates.sorted(by: >), "a date listing is newest first")

        let thumbnail = try server.get("/api/photos/\(example.id)/thumbnail")
        XCTAssertEqual(thumbnail.status, 200)
        XCTAssertEqual(thumbnail.headers["content-type"], "image/jpeg")
        XCTAssertEqual([UInt8](thumbnail.body), try library.thumbnail(id: example.id))

        for photo in readable {
            let image = try server.get("/api/photos/\(photo.id)/image")
            XCTAssertEqual(image.status, 200, "\(photo.path): \(image.text.prefix(200))")
            let decoded = try ImageDecoder.decode(bytes: [UInt8](image.body))
            XCTAssertEqual(decoded.format, .jpeg, photo.path)
            let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: photo.path)))
            if ImageDecoder.format(of: file) == .jpeg {
                XCTAssertEqual([UInt8](image.body), file, "a JPEG is sent as it is: \(photo.path)")
            } else {
                let longest = min(2048, max(photo.width ?? 0, photo.height ?? 0))
                XCTAssertEqual(max(decoded.displayedWidth, decoded.displayedHeight), longest, photo.path)
            }
        }
        let unreadable = try XCTUnwrap(photos.first { $0.lastError != nil }, "bad/ holds damaged photos")
        XCTAssertEqual(try server.get("/api/photos/\(unreadable.id)/image").status, 422)

        let page = try server.get("/")
        XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(page.text.contains(#"<script src="/app.js">"#))
        XCTAssertNotNil(page.headers["content-security-policy"])
        XCTAssertEqual(try server.get("/app.js").headers["content-type"], "text/javascript; charset=utf-8")
        XCTAssertEqual(try server.get("/app.css").headers["content-type"], "text/css; charset=utf-8")
    }

    func testEveryParameterIsChecked() throws {
        let fixture = try ServeLibrary.shared()
        let server = try ServeProcess(["--library", fixture.library, "--model", fixture.model])
        defer { server.stop() }
        let refused: [(String, Int, String)] = [
            ("/api/search?limit=0", 400, "limit"), ("/api/search?limit=1001", 400, "limit"),
            ("/api/search?limit=ten", 400, "limit"), ("/api/search?min=2", 400, "min"),
            ("/api/search?sort=size", 400, "sort"), ("/api/search?after=yesterday", 400, "after"),
            ("/api/search?like=-3", 400, "like"), ("/api/search?like=99999999", 404, "no photo"),
            ("/api/search?colour=red", 400, "unknown parameter"),
            ("/api/search?q=" + String(repeating: "a", count: 1001), 400, "longer than"),
            ("/api/search?words=" + String(repeating: "a", count: 1001), 400, "words is longer than"),
            ("/api/search?" + String(repeating: "not=x&", count: 9), 400, "not terms"),
            ("/api/search?" + String(repeating: "x=1&", count: 40), 400, "query parameters"),
            ("/api/search?not=people", 400, "--not"),
            ("/api/photos/99999999/thumbnail", 404, "thumbnail"), ("/api/photos/99999999/image", 404, "no photo"),
            ("/api/photos/abc/image", 404, "ids"), ("/api/photos/1/../../etc/passwd", 404, "nothing"),
            ("/etc/passwd", 404, "nothing"), ("/api/photos/1/original", 404, "nothing"),
            ("/api/search?q=" + String(repeating: "a", count: 9000), 414, "longer than 8192"),
        ]
        for (path, status, message) in refused {
            let answer = try server.get(path)
            XCTAssertEqual(answer.status, status, "\(path.prefix(80)): \(answer.text)")
            XCTAssertEqual(answer.headers["content-type"], "application/json; charset=utf-8", path)
            let error = try answer.json()["error"] as? String ?? ""
            XCTAssertTrue(error.contains(message), "\(path.prefix(80)): \(error)")
        }
        let foreign = try server.get("/api/status", headers: ["Host": "photos.attacker.example"])
        XCTAssertEqual(foreign.status, 400, "a page of another site (DNS rebinding) cannot read the library")
    }

    func testMalformedRequestsLeaveTheServerUp() throws {
        let fixture = try ServeLibrary.shared()
        let server = try ServeProcess(["--library", fixture.library, "--model", fixture.model])
        let garbage = try server.raw(Array("\u{0}\u{7f}\r\nHELLO?? \r\n\r\n".utf8) + (0..<4096).map { UInt8($0 % 251) })
        Self.assertJSONRefusal(garbage, "not an HTTP/1.1 request")
        let megabyte = "GET /api/search?q=" + String(repeating: "a", count: 1 << 20)
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        Self.assertJSONRefusal(try server.raw(Array(megabyte.utf8)), "the request line or a header is longer")
        let header = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "b", count: 200_000)
            + "\r\n\r\n"
        Self.assertJSONRefusal(try server.raw(Array(header.utf8)), "the request line or a header is longer")
        let body = try server.raw(Array("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
                                            .utf8) + Array("Connection: close\r\n\r\nabcd".utf8))
        XCTAssertTrue(body.hasPrefix("HTTP/1.1 413"), body)
        XCTAssertTrue(body.contains(#"{"error":"#), body)
        let post = try server.raw(Array("POST /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                            .utf8))
        XCTAssertTrue(post.hasPrefix("HTTP/1.1 405"), post)

        let after = try server.get("/api/status")
        XCTAssertEqual(after.status, 200, "the server still answers")
        XCTAssertEqual(server.stop(), 0, "SIGTERM stops it cleanly: \(server.stderr)")
        XCTAssertTrue(server.stderr.contains("stopped"), server.stderr)
    }

    /// `answer` is a 400 with a JSON error containing `message`, or nothing at all when the server
    /// closed the connection before the client finished sending (the answer is then lost in the reset).
    private static func assertJSONRefusal(_ answer: String, _ message: String, line: UInt = #line) {
        guard !answer.isEmpty else { return }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400"), String(answer.prefix(200)), line: line)
        XCTAssertTrue(answer.contains("application/json"), String(answer.prefix(300)), line: line)
        XCTAssertTrue(answer.contains(message), String(answer.prefix(400)), line: line)
    }

    func testWithoutAModelDatesStillWork() throws {
        let fixture = try ServeLibrary.shared()
        let empty = fixture.directory.appendingPathComponent("no-models").path
        let server = try ServeProcess(["--library", fixture.library],
                                      environment: ["EDGEFLOW_MODELS": empty, "HOME": empty])
        defer { server.stop() }
        XCTAssertTrue(server.stderr.contains("only dates"), server.stderr)
        let text = try server.get("/api/search?q=cat")
        XCTAssertEqual(text.status, 400)
        XCTAssertTrue((try text.json()["error"] as? String ?? "").contains("needs a CLIP model"), text.text)
        let listing = try server.get("/api/search?limit=5")
        XCTAssertEqual(listing.status, 200, listing.text)
        XCTAssertEqual((try listing.json()["results"] as? [[String: Any]])?.count, 5)
        let status = try server.get("/api/status").json()
        XCTAssertEqual(status["textSearch"] as? Bool, false)
    }

    /// Photos indexed by another process while the server runs are searched once the refresh
    /// interval has passed, with the int8 scan too; nothing needs a restart.
    func testPhotosIndexedWhileServingAreFound() throws {
        let (directory, model, source) = try PhotosCommandTests.scratchWithModel("photos-serve-refresh")
        defer { try? FileManager.default.removeItem(at: directory) }
        let photos = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("Misc"),
                                         to: photos.appendingPathComponent("Misc"))
        let library = directory.appendingPathComponent("lib.sqlite").path
        func index() throws {
            let run = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path],
                                        in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        try index()
        let server = try ServeProcess(["--library", library, "--model", model.path, "--refresh", "0.2",
                                       "--compressed"])
        defer { server.stop() }
        let before = try XCTUnwrap(try server.get("/api/status").json()["searchable"] as? Int)
        XCTAssertGreaterThan(before, 0)

        try FileManager.default.copyItem(at: source.appendingPathComponent("2017"),
                                         to: photos.appendingPathComponent("2017"))
        try index()
        let added = try PhotoLibrary(path: library, create: false).photos()
            .filter { $0.path.contains("/2017/") && $0.lastError == nil }
        let newest = try XCTUnwrap(added.last)
        Thread.sleep(forTimeInterval: 0.3)
        let like = try server.get("/api/search?like=\(newest.id)&limit=1")
        XCTAssertEqual(like.status, 200, like.text)
        let hit = try XCTUnwrap((try like.json()["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(hit["id"] as? Int, Int(newest.id), "a photo indexed after the server started")
        XCTAssertGreaterThan(hit["score"] as? Double ?? 0, 0.9999)
        let after = try XCTUnwrap(try server.get("/api/status").json()["searchable"] as? Int)
        XCTAssertEqual(after, before + added.count)
    }
}
