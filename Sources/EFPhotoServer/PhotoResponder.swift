// Answers every request of `photos serve`: checks it against the limits (method, Host, target
// length, parameters, no body), routes it to the page or the API, and turns every failure into
// a JSON error with a status, so no request can stop the server.

import EFCore
import Foundation
import Hummingbird

/// The server's one responder (no router: the routes are few and fixed).
struct PhotoResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let api: PhotoAPI
    /// Host names accepted in the Host header (DNS rebinding: a page of another site must not read
    /// the library); nil accepts any (a server bound to every address is meant to be reached by any name).
    let allowedHosts: Set<String>?

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            try check(request)
            return try await route(request)
        } catch let error as APIError {
            return Replies.error(error)
        } catch let error as EdgeflowError {
            return Replies.error(APIError(error))
        } catch {
            return Replies.error(APIError(.internalServerError, "\(error)"))
        }
    }

    /// Refuses what no route accepts, before any work.
    private func check(_ request: Request) throws {
        guard request.uri.string.utf8.count <= ServerLimits.maxURIBytes else {
            throw APIError(.uriTooLong, "the request target is longer than \(ServerLimits.maxURIBytes) bytes")
        }
        guard request.method == .get else {
            throw APIError(.methodNotAllowed, "only GET is served")
        }
        guard (request.headers[.contentLength] ?? "0") == "0", request.headers[.transferEncoding] == nil else {
            throw APIError(.contentTooLarge, "requests to this server carry no body")
        }
        let host = request.head.authority.map(Self.hostName)
        guard allowedHosts.map({ allowed in host.map(allowed.contains) ?? false }) ?? true else {
            throw APIError(.badRequest, "the Host header names another server",
                           hint: "open the page by the address the server printed")
        }
    }

    /// The host part of a Host header, lowercased, without its port ("[::1]:8080" → "[::1]").
    static func hostName(_ header: String) -> String {
        let lowered = header.lowercased()
        if lowered.hasPrefix("[") {
            return lowered.firstIndex(of: "]").map { String(lowered[...$0]) } ?? lowered
        }
        return lowered.split(separator: ":", maxSplits: 1).first.map(String.init) ?? lowered
    }

    private func route(_ request: Request) async throws -> Response {
        let path = request.uri.path
        switch path {
        case "/", "/index.html": return WebAssets.page
        case "/app.js": return WebAssets.script
        case "/app.css": return WebAssets.style
        case "/api/status": return try api.status()
        case "/api/search":
            let parameters = try SearchParameters(try parameters(request))
            return try await api.search(parameters)
        default: break
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 5, parts[0].isEmpty, parts[1] == "api", parts[2] == "photos" {
            guard let id = SearchParameters.photoID(parts[3]) else {
                throw APIError(.notFound, "photo ids are positive whole numbers")
            }
            switch parts[4] {
            case "thumbnail": return try api.thumbnail(id)
            case "image": return try api.image(id)
            default: break
            }
        }
        throw APIError(.notFound, "nothing at \(String(path.prefix(200)))")
    }

    /// The query parameters, bounded in number.
    private func parameters(_ request: Request) throws -> [(key: String, value: String)] {
        let parameters = request.uri.queryParameters
        guard parameters.count <= ServerLimits.maxQueryParameters else {
            throw APIError(.badRequest, "more than \(ServerLimits.maxQueryParameters) query parameters")
        }
        return parameters.map { (String($0.key), String($0.value)) }
    }
}
