// One HTTP/1.1 connection kept alive across requests, as undici (the fetch of Immich's server)
// uses its connections: each request written whole, each answer read by its Content-Length.

import EFTestSupport
import Foundation
import XCTest

final class KeepAliveConnection {
    private let socket: Int32
    private var pending: [UInt8] = []

    struct Answer {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func object() throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not JSON: \(text)")
        }
    }

    init(port: Int, timeout: Int = 300) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw CLIRunnerError(message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw CLIRunnerError(message: "cannot connect to port \(port)")
        }
        var seconds = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// POST /predict with Node's FormData layout of `entries` and an image or a text.
    func predict(_ entries: String, image: Data? = nil, text: String? = nil) throws -> Answer {
        let body = NodeFormData.body(entries: entries, image: image, text: text)
        let head = "POST /predict HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n"
            + "content-type: multipart/form-data; boundary=\(NodeFormData.boundary)\r\n"
            + "accept: */*\r\naccept-language: *\r\nsec-fetch-mode: cors\r\nuser-agent: node\r\n"
            + "accept-encoding: gzip, deflate\r\ncontent-length: \(body.count)\r\n\r\n"
        return try exchange(Array(head.utf8) + [UInt8](body))
    }

    func get(_ path: String) throws -> Answer {
        try exchange(Array("GET \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n".utf8))
    }

    private func exchange(_ request: [UInt8]) throws -> Answer {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw CLIRunnerError(message: "the server closed the kept-alive connection") }
            sent += n
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = pending.indices.first { pending[$0...].starts(with: separator) }
            if headEnd == nil { try receive() }
        }
        let head = String(decoding: pending[..<headEnd!], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        guard let length else { throw CLIRunnerError(message: "an answer without Content-Length: \(head)") }
        let start = headEnd! + separator.count
        while pending.count < start + length { try receive() }
        let body = Data(pending[start ..< start + length])
        pending.removeFirst(start + length)
        return Answer(status: status, body: body)
    }

    private func receive() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(socket, &buffer, buffer.count, 0)
        guard n > 0 else { throw CLIRunnerError(message: "the connection closed before the answer was complete") }
        pending += buffer[..<n]
    }
}
