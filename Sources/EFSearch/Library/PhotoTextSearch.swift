// Finding photos by the words the text reader found in them: the user's words become an FTS5
// query of quoted terms (every word must appear, in any order; diacritics and case ignored), so
// no input can be read as FTS5 syntax. `textWords` splits text the same way for PostgreSQL.

import EFCore
import GRDB

extension PhotoLibrary {
    /// The longest `--text-in-photo` accepted, in characters.
    public static let maxTextQueryLength = 1000

    /// The photos whose text holds every word of `words`, best match (BM25) first, with their text.
    /// - Throws: `EdgeflowError.invalidArgument` for text with no word or over 1000 characters.
    public func photosWithText(_ words: String) throws -> [(id: Int64, text: String)] {
        let query = try Self.ftsQuery(words)
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT rowid AS id, text FROM photo_text WHERE photo_text MATCH ? ORDER BY bm25(photo_text), rowid
                """, arguments: [query]).map { (try $0.value("id"), try $0.value("text")) }
        }
    }

    /// The words of `text` as FTS5's `unicode61 remove_diacritics 2` tokenizer sees them: runs of
    /// letters and digits, lowercased, accents removed; each once, in order of appearance. The
    /// PostgreSQL library stores and searches these.
    static func textWords(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var seen = Set<String>()
        return folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init).filter {
            seen.insert($0).inserted
        }
    }

    /// `words` as FTS5 terms: each whitespace-separated word in double quotes (quotes doubled).
    static func ftsQuery(_ words: String) throws -> String {
        guard words.count <= maxTextQueryLength else {
            throw EdgeflowError(.invalidArgument, "the text to find in photos has \(words.count) characters; "
                                    + "at most \(maxTextQueryLength) are accepted")
        }
        let terms = words.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).map(String.init)
        guard !terms.isEmpty else {
            throw EdgeflowError(.invalidArgument, "the text to find in photos has no word")
        }
        return terms.map { "\"" + $0 + "\"" }.joined(separator: " ")
    }
}
