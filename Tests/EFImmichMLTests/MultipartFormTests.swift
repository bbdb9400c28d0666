// The multipart/form-data reader on bodies laid out byte for byte as Node's FormData (undici)
// writes Immich's requests, and on malformed bodies: each is refused with a reason.

import EFCore
import EFImmichML
import EFTestSupport
import Foundation
import XCTest

final class MultipartFormTests: XCTestCase {
    static let boundary = NodeFormData.boundary

    static func nodeBody(entries: String, image: [UInt8]? = nil, text: String? = nil) -> Data {
        NodeFormData.body(entries: entries, image: image.map { Data($0) }, text: text)
    }

    func testNodeFormDataIsRead() throws {
        let boundary = try MultipartForm.boundary(contentType: "multipart/form-data; boundary=\(Self.boundary)")
        XCTAssertEqual(boundary, Self.boundary)
        // Image bytes that contain CR LF and dashes, but not the delimiter.
        let image: [UInt8] = [0xFF, 0xD8, 0x0D, 0x0A, 0x2D, 0x2D, 0x2D, 0x0D, 0x0A, 0xFF, 0xD9]
        let parts = try MultipartForm.parts(of: Self.nodeBody(entries: #"{"clip":{}}"#, image: image),
                                            boundary: boundary)
        XCTAssertEqual(parts.map(\.name), ["entries", "image"])
        XCTAssertEqual(String(data: parts[0].body, encoding: .utf8), #"{"clip":{}}"#)
        XCTAssertEqual([UInt8](parts[1].body), image)
        XCTAssertEqual(parts[1].filename, "blob")
        XCTAssertEqual(parts[1].contentType, "application/octet-stream")
        let quoted = try MultipartForm.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"")
        XCTAssertEqual(quoted, "a b")
    }

    func testMalformedBodiesAreRefused() throws {
        let b = Self.boundary
        let cases: [(String, Data)] = [
            ("no opening boundary", Data("hello".utf8)),
            ("no closing boundary", Data("--\(b)\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc".utf8)),
            ("headers never end", Data(("--\(b)\r\n" + String(repeating: "X-A: b\r\n", count: 2000)).utf8)),
            ("no disposition", Data("--\(b)\r\nContent-Type: text/plain\r\n\r\nabc\r\n--\(b)--".utf8)),
            ("not form-data", Data("--\(b)\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\na\r\n--\(b)--".utf8)),
            ("no line break", Data("--\(b)garbage".utf8)),
            ("header without colon", Data("--\(b)\r\nnonsense\r\n\r\na\r\n--\(b)--".utf8)),
        ]
        for (what, body) in cases {
            XCTAssertThrowsError(try MultipartForm.parts(of: body, boundary: b), what) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput, what)
            }
        }
        var many = ""
        for index in 0...MultipartForm.maxParts {
            many += "--\(b)\r\nContent-Disposition: form-data; name=\"p\(index)\"\r\n\r\nv\r\n"
        }
        XCTAssertThrowsError(try MultipartForm.parts(of: Data((many + "--\(b)--\r\n").utf8), boundary: b)) {
            XCTAssertTrue("\($0)".contains("more than 16 parts"), "\($0)")
        }
        for header in ["text/plain", "multipart/form-data", "multipart/form-data; boundary=",
                       "multipart/form-data; boundary=" + String(repeating: "x", count: 71)] {
            XCTAssertThrowsError(try MultipartForm.boundary(contentType: header), header)
        }
    }
}
