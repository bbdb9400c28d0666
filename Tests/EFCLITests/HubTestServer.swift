// A small HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one thread per connection) for the
// `models pull` tests: it serves a model folder as a Hugging Face–style repository — the tree
// API listing and the files under resolve/main, with Range requests, directly or through a
// redirect — and misbehaves on demand: it drops a connection after N bytes, ignores Range, or
// serves a listing it was given.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class HubTestServer: @unchecked Sendable {
    /// One request as the server saw it.
    struct Request: Equatable {
        var path: String
        var range: String?
    }

    let model: String
    let port: UInt16
    /// The file bytes by repository path.
    let files: [String: Data]
    private let listener: Int32
    private let lock = NSLock()
    private var listingOverride: [[String: Any]]?
    private var drops: [String: Int] = [:]
    private var rangeIgnored = false
    private var redirecting = false
    private var seen: [Request] = []

    /// Serves `paths` of `folder` as the repository immich-app/`model`.
    init(model: String, folder: URL, paths: [String]) throws {
        self.model = model
        var files: [String: Data] = [:]
        for path in paths { files[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        self.files = files
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, $0, &length) == 0
            }
        }
        guard listener >= 0, bound else { throw CLIRunnerError(message: "the test server cannot listen") }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// http://127.0.0.1:PORT.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The honest listing: a directory entry per folder, LFS entries (sha256) for .onnx files,
    /// git blob ids for the others, and two files that must never be fetched (an fp16 variant in the
    /// first folder, a README).
    func honestListing() -> [[String: Any]] {
        let treeID = String(repeating: "1", count: 40)
        let folders = Set(files.keys.compactMap { path in
            path.contains("/") ? path.split(separator: "/")[0] : nil
        }).sorted()
        var entries: [[String: Any]] = folders.map {
            ["type": "directory", "path": String($0), "size": 0, "oid": treeID]
        }
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            var blob = Data("blob \(data.count)\0".utf8)
            blob.append(data)
            var entry: [String: Any] = ["type": "file", "path": path, "size": data.count,
                                        "oid": SHA1.hex(of: blob)]
            if path.hasSuffix(".onnx") { entry["lfs"] = ["oid": SHA256.hex(of: data), "size": data.count] }
            entries.append(entry)
        }
        entries.append(["type": "file", "path": "\(folders.first ?? "visual")/fp16/model.onnx", "size": 10,
                        "oid": treeID,
                        "lfs": ["oid": String(repeating: "b", count: 64), "size": 10]])
        entries.append(["type": "file", "path": "README.md", "size": 5, "oid": String(repeating: "c", count: 40)])
        return entries
    }

    /// Serves `entries` as the listing from now on.
    func setListing(_ entries: [[String: Any]]) { locked { listingOverride = entries } }

    /// The next transfer of `path` stops after `bytes` of its body (the connection is closed).
    func drop(_ path: String, after bytes: Int) { locked { drops[path] = bytes } }

    /// Answers every file request with the whole file (200), as a server without Range support.
    func ignoreRange() { locked { rangeIgnored = true } }

    /// Answers file requests with a redirect to /cdn/PATH, as the Hub sends files from its file servers.
    func redirectFiles() { locked { redirecting = true } }

    /// The requests so far, in order.
    var requests: [Request] { locked { seen } }

    /// Closes the listening socket (connections in flight finish).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread { [self] in
                serve(connection)
                close(connection)
            }.start()
        }
    }

    private func serve(_ connection: Int32) {
        var head = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.range(of: Data("\r\n\r\n".utf8)) == nil, head.count < 65536 {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            head.append(contentsOf: buffer[0..<count])
        }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let target = lines[0].split(separator: " ").dropFirst().first.map(String.init) ?? ""
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { $0.dropFirst("range:".count).trimmingCharacters(in: .whitespaces) }
        locked { seen.append(Request(path: target, range: range)) }
        let resolve = "/immich-app/\(model)/resolve/main/"
        if target == "/api/models/immich-app/\(model)/tree/main?recursive=true" {
            let listing = locked { listingOverride } ?? honestListing()
            let body = (try? JSONSerialization.data(withJSONObject: listing)) ?? Data()
            respond(connection, status: "200 OK", headers: [], body: body, limit: nil)
        } else if target.hasPrefix(resolve), locked({ redirecting }) {
            let location = "Location: /cdn/" + target.dropFirst(resolve.count)
            respond(connection, status: "302 Found", headers: [location], body: Data(), limit: nil)
        } else if let prefix = [resolve, "/cdn/"].first(where: target.hasPrefix),
                  case let path = String(target.dropFirst(prefix.count)), let data = files[path] {
            let limit = locked { drops.removeValue(forKey: path) }
            let start = locked { rangeIgnored } ? nil : range.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) }
            if let start, start < data.count {
                respond(connection, status: "206 Partial Content",
                        headers: ["Content-Range: bytes \(start)-\(data.count - 1)/\(data.count)"],
                        body: data[start...], limit: limit)
            } else {
                respond(connection, status: "200 OK", headers: [], body: data, limit: limit)
            }
        } else {
            let body = Data("{\"error\":\"Repository not found\"}".utf8)
            respond(connection, status: "404 Not Found", headers: [], body: body, limit: nil)
        }
    }

    /// Writes the answer; with `limit`, only that many body bytes before the connection closes.
    private func respond(_ connection: Int32, status: String, headers: [String], body: Data, limit: Int?) {
        let head = (["HTTP/1.1 \(status)", "Content-Length: \(body.count)", "Connection: close"] + headers)
            .joined(separator: "\r\n") + "\r\n\r\n"
        var bytes = Data(head.utf8)
        bytes.append(body.prefix(limit ?? body.count))
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let count = send(connection, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { return }
                sent += count
            }
        }
    }
}
