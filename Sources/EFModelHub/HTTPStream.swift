// One HTTP GET through URLSession whose body is handed over chunk by chunk as it arrives (a
// data delegate), so a multi-gigabyte file never sits in memory. The call blocks until the
// transfer ends; a handler may refuse the response or a chunk, which cancels the transfer.

import EFCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The transfer stopped for a reason of the network (dropped connection, timeout, refused
/// connection): trying again may work, so downloads resume after it.
struct TransferInterrupted: Error {
    var reason: String
}

/// Runs GET requests with streamed bodies.
final class HTTPStream: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// The handlers, dropped when the transfer ends (the session keeps its delegate a while longer).
    private var onResponse: ((HTTPURLResponse) throws -> Void)?
    private var onData: ((Data) throws -> Void)?
    private let finished = DispatchSemaphore(value: 0)
    /// Set on the session's serial delegate queue, read after `finished` is signalled.
    private var failure: Error?

    private init(onResponse: @escaping (HTTPURLResponse) throws -> Void, onData: @escaping (Data) throws -> Void) {
        self.onResponse = onResponse
        self.onData = onData
    }

    /// Runs `request`: `onResponse` sees the status and headers before any body byte, then
    /// `onData` every chunk in order.
    /// - Throws: what a handler threw, or `TransferInterrupted` when the network failed.
    static func get(_ request: URLRequest, onResponse: @escaping (HTTPURLResponse) throws -> Void,
                    onData: @escaping (Data) throws -> Void) throws {
        let stream = HTTPStream(onResponse: onResponse, onData: onData)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: stream, delegateQueue: queue)
        session.dataTask(with: request).resume()
        stream.finished.wait()
        (stream.onResponse, stream.onData) = (nil, nil)
        session.finishTasksAndInvalidate()
        if let failure = stream.failure { throw failure }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        do {
            guard let http = response as? HTTPURLResponse else {
                throw EdgeflowError(.io, "\(response.url?.absoluteString ?? "the server") did not answer in HTTP")
            }
            try onResponse?(http)
            completionHandler(.allow)
        } catch {
            failure = error
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try onData?(data)
        } catch {
            failure = error
            dataTask.cancel()
        }
    }

    /// The Hub answers a file request with a redirect to its file servers: the new request keeps
    /// the range and the encoding asked for, whatever the URL loading system would copy.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        var redirected = request
        for field in ["Range", "Accept-Encoding"] {
            redirected.setValue(task.originalRequest?.value(forHTTPHeaderField: field), forHTTPHeaderField: field)
        }
        completionHandler(redirected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, let error {
            failure = TransferInterrupted(reason: error.localizedDescription)
        }
        finished.signal()
    }
}
