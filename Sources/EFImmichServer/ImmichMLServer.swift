// `serve-ml`'s server: Immich's machine-learning HTTP contract on Hummingbird, HTTP/1.1 with the
// parser's limits, predictions on a bounded pool of threads, until SIGINT or SIGTERM.

import EFHTTPSupport
import EFImmichML
import Foundation
import Hummingbird
import Logging

/// How the server is set up (Immich's environment knobs map onto these).
public struct ImmichMLServerOptions: Sendable {
    /// `IMMICH_HOST`; Immich listens on every address (`[::]`).
    public var host = "::"
    /// `IMMICH_PORT`; 0 picks a free port.
    public var port = 3003
    /// `MACHINE_LEARNING_REQUEST_THREADS`: predictions running at once.
    public var requestThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Requests that may wait for a thread before new ones get 503.
    public var queueLimit = 64
    /// Largest request body (Immich's server sends previews of a few hundred KB).
    public var maxBodyBytes = 64 << 20

    public init() {}
}

public struct ImmichMLServer: Sendable {
    public let service: ImmichMLService
    public let options: ImmichMLServerOptions

    public init(service: ImmichMLService, options: ImmichMLServerOptions) {
        self.service = service
        self.options = options
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    /// - Parameter listening: called once with the base URL after the socket is bound.
    /// - Throws: when the address cannot be bound.
    public func run(listening: @escaping @Sendable (URL) -> Void) async throws {
        var logger = Logger(label: "edgeflow.serve-ml")
        logger.logLevel = .error
        let host = options.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let shown = host.contains(":") ? "[\(host)]" : host
        let responder = ImmichMLResponder(
            service: service, pool: PredictPool(threads: options.requestThreads, queueLimit: options.queueLimit),
            maxBodyBytes: options.maxBodyBytes)
        let reply = ParserErrorReply(key: "detail", overflowMessage: "the request line or headers are too long")
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [reply], idleTimeout: .seconds(300))),
            configuration: .init(address: .hostname(host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                listening(URL(string: "http://\(shown):\(channel.localAddress?.port ?? options.port)/")!)
            },
            logger: logger)
        try await app.runService()
    }
}
