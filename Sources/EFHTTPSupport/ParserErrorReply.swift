// What SwiftNIO's HTTP parser refuses (a request line or header beyond the limits, bytes that
// are not HTTP) never reaches a server's responder. This channel handler, placed after the
// parser, answers it with the same kind of JSON error as the server's other refusals, then
// closes the connection. Shared by `photos serve` and `serve-ml`.

import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Turns an HTTP parse error into a JSON 400 answer and a closed connection.
public final class ParserErrorReply: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundOut = HTTPResponsePart

    private let key: String
    private let overflow: String
    /// The parser may report more than once; the connection gets one answer.
    private var answered = false

    /// - Parameters:
    ///   - key: the JSON field holding the message (`error`, or `detail` as Immich's service writes).
    ///   - overflowMessage: what to say when the request line or headers exceed the parser's limits.
    public init(key: String, overflowMessage: String) {
        self.key = key
        overflow = overflowMessage
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let message = parse == .headerOverflow ? overflow : "not an HTTP/1.1 request (\(parse))"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode([key: message])) ?? Data()
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
