// What the `photos serve` tests share: a small library indexed once per test run (three folders
// of the generated library-200 and its damaged files, with the small CLIP folder), a running `edgeflow photos serve`
// child on a free port, and plain HTTP requests to it (URLSession, or raw bytes over TCP).

import EFTestSupport
import Foundation
import Glibc
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// The indexed library the serve tests run against.
struct ServeLibrary {
    var directory: URL
    var library: String
    var model: String
    var photos: URL

    /// A photo file name that is also HTML: the page must show it as text.
    static let hostileName = "<img src=x onerror=window.pwned=1>.jpg"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: ServeLibrary?

    /// The library, indexed on first use (32 files: JPEG, GIF, WebP, HEIF, 4 damaged, one named
    /// like HTML); its folder is removed when the test process exits.
    static func shared() throws -> ServeLibrary {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let (directory, model, source) = try PhotosCommandTests.scratchWithModel("photos-serve")
        let photos = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for folder in ["2016", "Scans", "Misc", "bad"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(folder),
                                             to: photos.appendingPathComponent(folder))
        }
        try FileManager.default.copyItem(at: photos.appendingPathComponent("2016/2016-04-01 Zoo/DSC00010.jpg"),
                                         to: photos.appendingPathComponent("2016/" + hostileName))
        let library = directory.appendingPathComponent("lib.sqlite").path
        let index = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path],
                                      in: directory)
        guard index.status == 0 else { throw CLIRunnerError(message: "photos index failed: \(index.stderr)") }
        made = ServeLibrary(directory: directory, library: library, model: model.path, photos: photos)
        atexit { ServeLibrary.made.map { try? FileManager.default.removeItem(at: $0.directory) } }
        return made!
    }
}

/// A running `edgeflow photos serve` (or another serving verb).
final class ServeProcess {
    let process = Process()
    /// The page's address, as printed on stderr.
    private(set) var url: URL!
    private let stderrPipe = Pipe()
    private let collected = LockedText()

    /// Starts the server (`VERB --port 0 ARGUMENTS`) and waits until it prints its address.
    init(_ arguments: [String], verb: [String] = ["photos", "serve"], environment: [String: String] = [:],
         timeout: TimeInterval = 60) throws {
        process.executableURL = CLIRunner.binary
        process.arguments = verb + ["--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderrPipe
        let text = collected
        stderrPipe.fileHandleForReading.readabilityHandler = { text.append($0.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning {
            if let range = collected.text.range(of: #"http://127\.0\.0\.1:\d+/"#, options: .regularExpression) {
                url = URL(string: String(collected.text[range]))
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw CLIRunnerError(message: "\(verb.joined(separator: " ")) did not print its address: \(collected.text)")
    }

    /// Everything the server wrote on stderr so far.
    var stderr: String { collected.text }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 20) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { stop() }

    /// An answer: status, headers (lowercased names) and body.
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        /// The body as a JSON object.
        func json() throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not JSON: \(text)")
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// GET `path` (with its query) over URLSession.
    func get(_ path: String, headers: [String: String] = [:]) throws -> Answer {
        var request = URLRequest(url: URL(string: path, relativeTo: url)!)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let done = DispatchSemaphore(value: 0)
        let box = LockedText()
        nonisolated(unsafe) var answer: Answer?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse {
                let fields = response.allHeaderFields.reduce(into: [String: String]()) {
                    $0["\($1.key)".lowercased()] = "\($1.value)"
                }
                answer = Answer(status: response.statusCode, headers: fields, body: data ?? Data())
            } else {
                box.append(Data("\(error.map { "\($0)" } ?? "no response")".utf8))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 60) == .success, let answer else {
            throw CLIRunnerError(message: "GET \(path) failed: \(box.text)")
        }
        return answer
    }

    /// Sends `bytes` on a new TCP connection and returns what comes back until the server closes
    /// it (or `timeout`).
    func raw(_ bytes: [UInt8], timeout: TimeInterval = 10) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw CLIRunnerError(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(url.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CLIRunnerError(message: "cannot connect to \(url!)") }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {  // the server may close early (a refused head): stop sending then
            let n = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(socket, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Text gathered from a readability handler, under a lock.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
