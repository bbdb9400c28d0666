// The routes of Immich's machine-learning service: `GET /ping` → `pong`, `GET /` → its message,
// `POST /predict` with a multipart body (read up to the body limit, parsed and answered on the
// predict pool). Every failure is a JSON `{"detail": …}` with a status, as Immich's service answers.

import EFCore
import EFImmichML
import Foundation
import Hummingbird

struct ImmichMLResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let service: ImmichMLService
    let pool: PredictPool
    let maxBodyBytes: Int

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            switch (request.method, request.uri.path) {
            case (.get, "/ping"), (.head, "/ping"):
                return Self.reply(.ok, Data("pong".utf8), type: "text/plain; charset=utf-8")
            case (.get, "/"):
                return Self.reply(.ok, Data(#"{"message":"Immich ML"}"#.utf8))
            case (.post, "/predict"):
                return try await predict(request)
            case (_, "/ping"), (_, "/"), (_, "/predict"):
                throw PredictError(status: 405, detail: "Method Not Allowed")
            default:
                throw PredictError(status: 404, detail: "Not Found")
            }
        } catch let error as PredictError {
            return Self.error(error)
        } catch let error as EdgeflowError {
            return Self.error(PredictError(status: 400, detail: error.message))
        } catch {
            return Self.error(PredictError(status: 500, detail: "\(error)"))
        }
    }

    private func predict(_ request: Request) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw PredictError(status: 413, detail: "the body is over \(maxBodyBytes) bytes")
        }
        // Read first (bounded), so a refusal is not lost to a connection reset over unread bytes.
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw PredictError(status: 413, detail: "the body is over \(maxBodyBytes) bytes")
        }
        let boundary = try MultipartForm.boundary(contentType: request.headers[.contentType] ?? "")
        let bytes = Data(body.readableBytesView)
        let service = self.service
        let answer = try await pool.run { slots throws -> Data in
            let parts = try MultipartForm.parts(of: bytes, boundary: boundary)
            return try service.predict(try PredictRequest(parts: parts), yielding: slots)
        }
        guard let answer else {
            throw PredictError(status: 503, detail: "more than \(pool.queueLimit) requests are waiting")
        }
        return Self.reply(.ok, answer)
    }

    static func error(_ error: PredictError) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["detail": error.detail])) ?? Data()
        return reply(HTTPResponse.Status(code: error.status), body)
    }

    static func reply(_ status: HTTPResponse.Status, _ body: Data,
                      type: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentLength] = String(body.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
