// `photos serve`'s server: binds the address, serves `PhotoResponder` over HTTP/1.1 with
// Hummingbird under `ServerLimits`, reports the address it listens on, and stops cleanly on
// SIGINT or SIGTERM.

import EFHTTPSupport
import EFSearch
import Foundation
import Hummingbird
import Logging

/// A web page and JSON API over one photo library.
public struct PhotoServer: Sendable {
    /// The address to bind: 127.0.0.1 by default, so only this machine can connect.
    public var host: String
    /// The port; 0 lets the system pick a free one (reported to `run`'s callback).
    public var port: Int
    private let api: PhotoAPI

    /// A server over `library`, searching with the model `loadModel` returns (nil: dates only).
    /// Calls `loadModel` and loads the model's vectors from the library now, both on the thread
    /// that will run every search (libgomp then keeps one thread pool; see SearchThread); a
    /// search more than `refreshSeconds` after the last check reloads them when the library's
    /// embeddings changed (nil: never). `compressedScan` scans int8 vectors and rescores the best
    /// exactly.
    /// - Throws: what `loadModel` throws; errors reading the library.
    public init(library: any PhotoStore, loadModel: @escaping () throws -> CLIPModel?, host: String = "127.0.0.1",
                port: Int = 8080, refreshSeconds: Double? = 2, compressedScan: Bool = false) throws {
        self.host = host
        self.port = port
        api = try PhotoAPI(library: library, loadModel: loadModel, refreshSeconds: refreshSeconds,
                           compressedScan: compressedScan)
    }

    /// The model searches run with (nil: dates only).
    public var model: CLIPModel? { api.model }

    /// How many photos text and example searches scan (those the model embedded).
    public var searchablePhotos: Int { api.search.vectorCount }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    /// - Parameter listening: called once with the page's address after the socket is bound.
    /// - Throws: when the address cannot be bound.
    public func run(listening: @escaping @Sendable (URL) -> Void) async throws {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        var logger = Logger(label: "edgeflow.photos.serve")
        logger.logLevel = .error
        let everywhere = ["0.0.0.0", "::", "[::]"].contains(host)
        let hosts = everywhere ? nil : Set(["127.0.0.1", "localhost", "[::1]", bracketed.lowercased()])
        let app = Application(
            responder: PhotoResponder(api: api, allowedHosts: hosts),
            server: .http1(configuration: .init(additionalChannelHandlers: [ParserErrorReply(
                key: "error", overflowMessage: ServerLimits.overflowMessage)],
                                                idleTimeout: .seconds(ServerLimits.idleSeconds),
                                                httpDecoderConfiguration: .init(
                                                    maxHeaderFieldSize: ServerLimits.maxHeaderFieldBytes,
                                                    maxHeaderListSize: ServerLimits.maxHeaderBytes,
                                                    maxHeaderFieldCount: ServerLimits.maxHeaderCount))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                listening(URL(string: "http://\(bracketed):\(bound)/")!)
            },
            logger: logger)
        try await app.runService()
    }
}
