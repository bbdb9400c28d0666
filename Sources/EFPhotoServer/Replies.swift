// How responses are made: JSON bodies (results and errors), bytes with a content type, and the
// headers every response carries (no sniffing, no caching of API answers, no framing).

import Foundation
import Hummingbird

enum Replies {
    /// `value` as JSON with `status`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"the answer could not be encoded"}"#.utf8)
        return bytes(data, type: "application/json; charset=utf-8", status: status, cacheable: false)
    }

    /// An error as `{"error": message, "hint": …}`.
    static func error(_ error: APIError) -> Response {
        struct Body: Encodable {
            var error: String
            var hint: String?
        }
        return json(Body(error: error.message, hint: error.hint), status: error.status)
    }

    /// Raw bytes of `type`. Photos and page files may be cached briefly; API answers not at all.
    static func bytes(_ data: some Sequence<UInt8>, type: String, status: HTTPResponse.Status = .ok,
                      cacheable: Bool) -> Response {
        let headers: HTTPFields = [
            .contentType: type,
            .cacheControl: cacheable ? "private, max-age=300" : "no-store",
            .init("X-Content-Type-Options")!: "nosniff",
            .init("X-Frame-Options")!: "DENY",
            .init("Referrer-Policy")!: "no-referrer",
        ]
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
