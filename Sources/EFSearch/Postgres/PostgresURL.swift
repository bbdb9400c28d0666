// A `--library postgres://…` URL: checked here (scheme, length, no control characters) and by
// libpq's own parser before any connection, and shown in messages without its password. The
// password comes from the URL or, through libpq, from PGPASSWORD or ~/.pgpass.

import CLibPQ
import EFCore
import Foundation

/// A validated PostgreSQL connection URL.
struct PostgresURL {
    /// The longest URL accepted, in bytes.
    static let maxLength = 2048
    /// The URL as given (passed to libpq only).
    let text: String
    /// The URL with its password replaced by `***`, for messages.
    let redacted: String
    private let password: String?

    /// Checks `text`.
    /// - Throws: `EdgeflowError.invalidArgument` for another scheme, an over-long URL, control
    ///   characters, no host or database, or what libpq cannot parse (the message never shows
    ///   the password).
    init(_ text: String) throws {
        let (redacted, password) = Self.redact(text)
        self.redacted = redacted
        self.password = password
        self.text = text
        func refuse(_ why: String) -> EdgeflowError {
            EdgeflowError(.invalidArgument, "--library \(redacted): \(why)",
                          hint: "write it as postgres://user@host[:port]/database (password in PGPASSWORD or "
                              + "~/.pgpass)")
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw refuse("not a postgres:// or postgresql:// URL")
        }
        guard text.utf8.count <= Self.maxLength else { throw refuse("longer than \(Self.maxLength) bytes") }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) else {
            throw refuse("it holds spaces or control characters")
        }
        let rest = text[text.range(of: "://")!.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let database = rest.dropFirst(authority.count).prefix { $0 != "?" }
        guard database.count > 1 else { throw refuse("no database name (…/DATABASE)") }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            let message = error.map { String(cString: $0) } ?? "libpq cannot parse it"
            if let error { PQfreemem(error) }
            throw refuse(scrub(message).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        PQconninfoFree(options)
    }

    /// `message` with the password (if any) replaced by `***`.
    func scrub(_ message: String) -> String {
        guard let password, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }

    /// The URL with the password of its user part (`user:password@`) and of a `password=`
    /// parameter replaced by `***`, and that password.
    static func redact(_ text: String) -> (String, String?) {
        guard let schemeEnd = text.range(of: "://") else { return (text, nil) }
        var result = String(text[..<schemeEnd.upperBound])
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let user = authority[..<at]
            if let colon = user.firstIndex(of: ":") {
                password = String(user[user.index(after: colon)...])
                result += user[..<colon] + ":***"
            } else {
                result += user
            }
            result += authority[at...]
        } else {
            result += authority
        }
        var tail = String(rest.dropFirst(authority.count))
        if let query = tail.firstIndex(of: "?") {
            let parameters = tail[tail.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            let cleaned = parameters.map { parameter -> String in
                guard parameter.lowercased().hasPrefix("password=") else { return String(parameter) }
                password = password ?? String(parameter.dropFirst("password=".count))
                return "password=***"
            }
            tail = tail[...query] + cleaned.joined(separator: "&")
        }
        return (result + tail, password)
    }
}
