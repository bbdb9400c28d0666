// Downloads one file into PATH.partial, continuing after the bytes already there with an HTTP
// Range request; a server that ignores the range (200 instead of 206) restarts the file from
// its first byte. The server's answer is checked against the listing's size before and while
// bytes arrive: it can never make the file longer than the listing said.

import EFCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One file's transfer into its partial file.
struct ResumableDownload {
    var url: URL
    var partial: URL
    var size: Int
    /// Names the file in messages ("visual/model.onnx").
    var name: String
    var timeout: TimeInterval

    /// The bytes already in the partial file (a partial longer than the file is removed first).
    func bytesPresent() throws -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: partial.path)
        let present = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard present <= size else {
            try FileManager.default.removeItem(at: partial)
            return 0
        }
        return present
    }

    /// Fetches the missing bytes; `progress` gets the partial file's length when the answer starts
    /// (0 when the server ignored the range) and after each chunk.
    /// - Throws: `TransferInterrupted` when the network stopped the transfer (call again to
    ///   continue), `EdgeflowError` when the server's answer is refused or the file cannot be written.
    func run(progress: (Int) -> Void) throws {
        var offset = try bytesPresent()
        guard offset < size else { return }
        if !FileManager.default.fileExists(atPath: partial.path) {
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw EdgeflowError(.io, "cannot create \(partial.path)")
            }
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: partial)
        } catch {
            throw EdgeflowError(.io, "cannot write \(partial.path): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        try withoutActuallyEscaping(progress) { report in
            try HTTPStream.get(request, onResponse: { response in
                offset = try start(of: response, requested: offset)
                try handle.truncate(atOffset: UInt64(offset))
                report(offset)
            }, onData: { chunk in
                guard offset + chunk.count <= size else {
                    throw EdgeflowError(.invalidModel, "\(name): the server sent more than the \(size) bytes "
                                            + "the listing gives")
                }
                try handle.write(contentsOf: chunk)
                offset += chunk.count
                report(offset)
            })
        }
        guard offset == size else {
            throw TransferInterrupted(reason: "the server closed the transfer after \(offset) of \(size) bytes")
        }
        try handle.synchronize()
    }

    /// Where the body of `response` starts in the file.
    /// - Throws: `EdgeflowError` for a status other than 200/206, a range that does not start
    ///   where asked, or a length that contradicts the listing.
    private func start(of response: HTTPURLResponse, requested: Int) throws -> Int {
        let start: Int
        switch response.statusCode {
        case 200:
            start = 0
        case 206:
            let range = response.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard range.hasPrefix("bytes \(requested)-"), range.hasSuffix("/\(size)") else {
                throw EdgeflowError(.io, "\(name): asked for bytes from \(requested) of \(size), the server answered "
                                        + "the range \(String(reflecting: range))")
            }
            start = requested
        case 416:
            try? FileManager.default.removeItem(at: partial)
            throw TransferInterrupted(reason: "the server refused the range from byte \(requested) (HTTP 416)")
        default:
            throw EdgeflowError(.io, "\(url.absoluteString) answered HTTP \(response.statusCode)")
        }
        let length = response.expectedContentLength
        guard length < 0 || Int(length) == size - start else {
            throw EdgeflowError(.invalidModel, "\(name): the server announces \(length) bytes from byte \(start), "
                                    + "the listing gives the file \(size) bytes")
        }
        return start
    }
}
