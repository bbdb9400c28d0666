// The query string of `GET /api/search`, checked as untrusted input and turned into an
// EFSearch query: text, `not` terms, words shown in the photo, an example photo by id, dates,
// minimum score, limit, order.

import EFSearch
import Foundation
import Hummingbird

/// A search request's parameters, validated.
struct SearchParameters {
    var query = SearchQuery()

    /// The parameters the search route knows.
    static let names: Set<String> = ["q", "not", "words", "like", "after", "before", "min", "limit", "sort"]

    /// Reads `parameters` (already bounded in count by the responder).
    /// - Throws: `APIError` 400 naming the first bad parameter.
    init(_ parameters: [(key: String, value: String)]) throws {
        query.limit = 60
        for (key, value) in parameters {
            switch key {
            case "q": query.text = try Self.text(value, key)
            case "not":
                guard let term = try Self.text(value, key) else { continue }
                guard query.negatives.count < ServerLimits.maxNegatives else {
                    throw APIError(.badRequest, "at most \(ServerLimits.maxNegatives) not terms")
                }
                query.negatives.append(term)
            case "words": query.textInPhoto = try Self.text(value, key)
            case "like":
                guard let id = Self.photoID(value) else {
                    throw APIError(.badRequest, "like must be a photo id (a positive whole number)")
                }
                query.likePhotoID = id
            case "after": query.after = try Self.date(value, key)
            case "before": query.before = try Self.date(value, key)
            case "min":
                guard let score = Float(value), (-1...1).contains(score) else {
                    throw APIError(.badRequest, "min must be a score in -1…1")
                }
                query.minScore = score
            case "limit":
                guard let limit = Int(value), (1...ServerLimits.maxResults).contains(limit) else {
                    throw APIError(.badRequest, "limit must be a whole number in 1…\(ServerLimits.maxResults)")
                }
                query.limit = limit
            case "sort":
                guard let order = SearchQuery.Order(rawValue: value) else {
                    throw APIError(.badRequest, "sort must be score or date")
                }
                query.order = order
            default:
                throw APIError(.badRequest, "unknown parameter \(String(key.prefix(40)))",
                               hint: "known: " + Self.names.sorted().joined(separator: ", "))
            }
        }
    }

    /// Whether the query needs the model's text tower.
    var needsText: Bool { query.text != nil || !query.negatives.isEmpty }

    /// A photo id: 1 to 19 digits, positive.
    static func photoID(_ text: some StringProtocol) -> Int64? {
        guard (1...19).contains(text.count), text.allSatisfy(\.isASCII), let id = Int64(text), id > 0 else {
            return nil
        }
        return id
    }

    /// A text parameter, trimmed; nil when empty.
    private static func text(_ value: String, _ key: String) throws -> String? {
        guard value.count <= ServerLimits.maxTextCharacters else {
            throw APIError(.badRequest, "\(key) is longer than \(ServerLimits.maxTextCharacters) characters")
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A date bound (YYYY, YYYY-MM, YYYY-MM-DD, optionally with a time); nil when empty.
    private static func date(_ value: String, _ key: String) throws -> String? {
        guard !value.isEmpty else { return nil }
        let pattern = #"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$"#
        guard value.count <= 19, value.range(of: pattern, options: .regularExpression) != nil else {
            throw APIError(.badRequest, "\(key) must be a date written YYYY-MM-DD")
        }
        return value
    }
}
