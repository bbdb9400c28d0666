// What SwiftNIO's HTTP parser refuses (a request line or header beyond the limits, bytes that
// are not HTTP) never reaches `PhotoResponder`. This channel handler, placed after the parser,
// answers it with the same kind of JSON error as every other refusal, then closes the connection.

import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Turns an HTTP parse error into a JSON 400 answer and a closed connection.
final class ParserErrorReply: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    /// The parser may report more than once; the connection gets one answer.
    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let message = parse == .headerOverflow
            ? "the request line or a header is longer than \(ServerLimits.maxHeaderFieldBytes / 1024) KB, or the "
                + "headers exceed \(ServerLimits.maxHeaderBytes / 1024) KB or \(ServerLimits.maxHeaderCount) lines"
            : "not an HTTP/1.1 request (\(parse))"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode(["error": message])) ?? Data()
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
