// The limits `photos serve` puts on requests from the network: sizes of the request line, the
// headers and the query, how many parameters, how long an idle connection stays open.

/// Limits on untrusted requests. Requests beyond the parser's limits (`maxHeaderFieldBytes`,
/// `maxHeaderBytes`) are refused by SwiftNIO's HTTP parser with a bare 400 and the connection
/// closed; the others are answered with a JSON error by `PhotoResponder`.
public enum ServerLimits {
    /// The longest request target (path and query) answered; longer ones get 414.
    public static let maxURIBytes = 8 * 1024
    /// The longest single header line or request target the HTTP parser reads.
    public static let maxHeaderFieldBytes = 16 * 1024
    /// All header lines together.
    public static let maxHeaderBytes = 32 * 1024
    /// How many header lines a request may have.
    public static let maxHeaderCount = 64
    /// How many query parameters a request may have.
    public static let maxQueryParameters = 32
    /// The longest text parameter (`q`, each `not`), in characters.
    public static let maxTextCharacters = 1000
    /// How many `not` terms a search may have.
    public static let maxNegatives = 8
    /// Results per search: `limit` must be in 1…`maxResults`.
    public static let maxResults = 1000
    /// The longest side of a re-encoded full-size photo (`/api/photos/ID/image`).
    public static let maxImageSide = 2048
    /// Seconds a connection may stay idle before it is closed.
    public static let idleSeconds: Int64 = 30
}
