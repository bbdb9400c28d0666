// The limits `photos serve` puts on requests from the network: sizes of the request line, the
// headers and the query, how many parameters, how long an idle connection stays open.

/// Limits on untrusted requests. Requests beyond the parser's limits (`maxHeaderFieldBytes`,
/// `maxHeaderBytes`, `maxHeaderCount`) are refused by SwiftNIO's HTTP parser (a JSON 400 from
/// `EFHTTPSupport.ParserErrorReply`, the connection closed); the others get a JSON error from `PhotoResponder`.
enum ServerLimits {
    /// The longest request target (path and query) answered; longer ones get 414.
    static let maxURIBytes = 8 * 1024
    /// The longest single header line or request target the HTTP parser reads.
    static let maxHeaderFieldBytes = 16 * 1024
    /// All header lines together.
    static let maxHeaderBytes = 32 * 1024
    /// How many header lines a request may have.
    static let maxHeaderCount = 64
    /// How many query parameters a request may have.
    static let maxQueryParameters = 32
    /// The longest text parameter (`q`, each `not`), in characters.
    static let maxTextCharacters = 1000
    /// How many `not` terms a search may have.
    static let maxNegatives = 8
    /// Results per search: `limit` must be in 1…`maxResults`.
    static let maxResults = 1000
    /// The longest side of a re-encoded full-size photo (`/api/photos/ID/image`).
    static let maxImageSide = 2048
    /// Seconds a connection may stay idle before it is closed.
    static let idleSeconds: Int64 = 30

    /// The refusal of a request beyond the parser's limits.
    static let overflowMessage = "the request line or a header is longer than \(maxHeaderFieldBytes / 1024) KB, "
        + "or the headers exceed \(maxHeaderBytes / 1024) KB or \(maxHeaderCount) lines"
}
