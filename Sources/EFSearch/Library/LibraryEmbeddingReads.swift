// Reading a model's vectors from the SQLite library: all of them (what a search loads first),
// the stamp that tells a running search they changed, and only the rows written after a stamp
// (what it loads next, instead of all of them again), and the ids alone. Every write of an
// embedding gives its row a rowid past every row's (LibraryIndexWrites.swift), and writes are
// serialized, so the rows after a stamp are the vectors added or replaced since it was taken, as
// long as none was removed; removals are counted (`models.removed`), so the reader knows.

import EFCore
import Foundation
import GRDB

extension PhotoLibrary {
    public func embeddingsStamp(model: String) throws -> EmbeddingsStamp {
        try read { db in try Self.stamp(db, model) }
    }

    /// All embeddings of `model`: photo ids and their vectors (row i of the table is ids[i]).
    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    public func embeddings(model: String) throws -> (ids: [Int64], dimension: Int, vectors: [Float]) {
        try read { db in
            guard let dimension = try dimension(db, model) else { return ([], 0, []) }
            let count = try Self.stamp(db, model).count ?? 0
            let (ids, vectors) = try readVectors(db, model, dimension, expected: count, sql: """
                SELECT e.photo_id, e.vector FROM embeddings e JOIN models m ON m.id = e.model_id
                WHERE m.name = ? ORDER BY e.photo_id
                """, arguments: [model])
            return (ids, dimension, vectors)
        }
    }

    /// The rows of `model` written since `stamp` (rowid from its `since` on), ordered by photo
    /// id, with the stamp of the same read.
    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    public func embeddings(model: String, writtenAfter stamp: EmbeddingsStamp) throws -> EmbeddingsDelta {
        try read { db in
            let now = try Self.stamp(db, model)
            guard now.since > stamp.since, let dimension = try dimension(db, model) else {
                return EmbeddingsDelta(ids: [], vectors: [], stamp: now)
            }
            let (ids, vectors) = try readVectors(db, model, dimension, expected: 0, sql: """
                SELECT e.photo_id, e.vector FROM embeddings e JOIN models m ON m.id = e.model_id
                WHERE m.name = ? AND e.rowid >= ? ORDER BY e.photo_id
                """, arguments: [model, stamp.since])
            return EmbeddingsDelta(ids: ids, vectors: vectors, stamp: now)
        }
    }

    public func embeddingIDs(model: String) throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT e.photo_id FROM embeddings e JOIN models m ON m.id = e.model_id
                WHERE m.name = ? ORDER BY e.photo_id
                """, arguments: [model])
        }
    }

    private static func stamp(_ db: Database, _ model: String) throws -> EmbeddingsStamp {
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM embeddings e WHERE e.model_id = m.id) AS n,
                   (SELECT coalesce(max(e.rowid), 0) FROM embeddings e WHERE e.model_id = m.id) AS newest,
                   m.removed AS removed
            FROM models m WHERE m.name = ?
            """, arguments: [model])
        guard let row else { return EmbeddingsStamp(count: 0, since: 1) }
        let newest: Int64 = row["newest"]
        return EmbeddingsStamp(count: row["n"], since: newest + 1, removed: row["removed"])
    }

    /// The model's dimension, nil for a model the library does not know.
    /// - Throws: `EdgeflowError.invalidArchive` for a stored dimension outside 1...65536.
    private func dimension(_ db: Database, _ model: String) throws -> Int? {
        guard let dimension = try Int.fetchOne(db, sql: "SELECT dimension FROM models WHERE name = ?",
                                               arguments: [model]) else { return nil }
        guard (1...65536).contains(dimension) else {
            throw EdgeflowError(.invalidArchive, "\(path): model \(model) has embeddings of dimension \(dimension)")
        }
        return dimension
    }

    /// The (photo_id, vector) rows `sql` selects, the vectors back to back; `expected` rows are
    /// reserved for (the file's size bounds it, so a damaged count cannot over-allocate).
    private func readVectors(_ db: Database, _ model: String, _ dimension: Int, expected: Int, sql: String,
                             arguments: StatementArguments) throws -> (ids: [Int64], vectors: [Float]) {
        var ids: [Int64] = []
        var vectors: [Float] = []
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        vectors.reserveCapacity(min(try CheckedSize.multiply(expected, dimension, "the embeddings"), fileBytes / 4))
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let blob: Data = try row.value("vector")
            guard blob.count == dimension * 4 else {
                throw EdgeflowError(.invalidArchive, "\(path): photo \((try row.value("photo_id") as Int64)) has a "
                                        + "\(blob.count)-byte vector for the \(dimension)-d model \(model)")
            }
            ids.append(try row.value("photo_id"))
            let start = vectors.count  // float32 little-endian, as stored (x86 and ARM are little-endian)
            vectors.append(contentsOf: repeatElement(0, count: dimension))
            vectors.withUnsafeMutableBytes { target in
                blob.withUnsafeBytes { target.baseAddress!.advanced(by: start * 4).copyMemory(from: $0.baseAddress!,
                                                                                           byteCount: $0.count) }
            }
        }
        return (ids, vectors)
    }
}
