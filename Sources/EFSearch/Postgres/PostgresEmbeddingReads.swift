// Reading a model's vectors from a PostgreSQL library: all of them, the stamp that tells a
// running search they changed, the rows written since a stamp and the ids alone. Transaction ids
// are handed out when transactions begin, not when they commit, so "newer than the newest row
// seen" would miss a slow writer's rows; a stamp instead records the oldest transaction still
// running when it was read (`pg_snapshot_xmin`): every row it did not see was written by that
// transaction or a later one, and a delta lists the rows of those (each row's `written_by`, a
// 64-bit transaction id read through an index; format 2), perhaps again some it saw. Removals
// are told by the model's removal counter (format 3), so no check counts the model's rows.

import EFCore
import Foundation

extension PostgresPhotoLibrary {
    public func embeddingsStamp(model: String) throws -> EmbeddingsStamp {
        let rows = try read("""
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS since,
                   coalesce((SELECT removed FROM models WHERE name = $1), 0) AS removed
            """, [.text(model)])
        return EmbeddingsStamp(count: nil, since: try rows.required(0, "since"),
                               removed: try rows.required(0, "removed"))
    }

    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    public func embeddings(model: String) throws -> (ids: [Int64], dimension: Int, vectors: [Float]) {
        guard let (modelID, dimension) = try modelRow(model) else { return ([], 0, []) }
        let rows = try read("""
            SELECT photo_id, vector FROM embeddings WHERE model_id = $1::bigint ORDER BY photo_id
            """, [.int(modelID)], binary: true)
        let (ids, vectors) = try vectorRows(rows, model: model, dimension: dimension)
        return (ids, dimension, vectors)
    }

    /// The rows of transactions from the stamp's oldest running one on (see the file's header):
    /// the horizon is read first, then the removal count and the rows in one statement (one snapshot), so
    /// whatever that statement misses is left to the next delta.
    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    public func embeddings(model: String, writtenAfter stamp: EmbeddingsStamp) throws -> EmbeddingsDelta {
        let horizon = try read("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS since")
            .required(0, "since")
        guard let (modelID, dimension) = try modelRow(model) else {
            return EmbeddingsDelta(ids: [], vectors: [], stamp: EmbeddingsStamp(count: nil, since: horizon))
        }
        // One row with a NULL photo_id when nothing was written: the removal count still comes back.
        let rows = try read("""
            SELECT m.removed, e.photo_id, e.vector
            FROM models m
            LEFT JOIN embeddings e ON e.model_id = m.id AND e.written_by >= $2::xid8
            WHERE m.id = $1::bigint
            ORDER BY e.photo_id
            """, [.int(modelID), .int(stamp.since)], binary: true)
        let removed = rows.count > 0 ? try rows.binaryInt(0, "removed") : 0
        let (ids, vectors) = try vectorRows(rows, model: model, dimension: dimension)
        return EmbeddingsDelta(ids: ids, vectors: vectors,
                               stamp: EmbeddingsStamp(count: nil, since: horizon, removed: removed))
    }

    public func embeddingIDs(model: String) throws -> [Int64] {
        let rows = try read("""
            SELECT e.photo_id FROM embeddings e JOIN models m ON m.id = e.model_id
            WHERE m.name = $1 ORDER BY e.photo_id
            """, [.text(model)], binary: true)
        return try (0..<rows.count).map { try rows.binaryInt($0, "photo_id") }
    }

    /// The model's id and dimension, nil for a model the library does not know.
    /// - Throws: `EdgeflowError.invalidArchive` for a stored dimension outside 1...65536.
    private func modelRow(_ model: String) throws -> (id: Int64, dimension: Int)? {
        let found = try read("SELECT id, dimension FROM models WHERE name = $1", [.text(model)])
        guard found.count > 0 else { return nil }
        let dimension = Int(try found.required(0, "dimension"))
        guard (1...65536).contains(dimension) else {
            throw EdgeflowError(.invalidArchive, "\(location): model \(model) has embeddings of dimension \(dimension)")
        }
        return (try found.required(0, "id"), dimension)
    }

    /// The (photo_id, vector) rows of a binary result, the vectors back to back; a row with a NULL
    /// photo_id (the empty side of a LEFT JOIN) is skipped.
    /// - Throws: `EdgeflowError.invalidArchive` for a vector that is not `dimension` floats.
    private func vectorRows(_ rows: PostgresRows, model: String, dimension: Int) throws
        -> (ids: [Int64], vectors: [Float]) {
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        var vectors = [Float](repeating: 0, count: try CheckedSize.multiply(rows.count, dimension, "the embeddings"))
        try vectors.withUnsafeMutableBytes { target in
            for row in 0..<rows.count where try rows.bytes(row, "photo_id") != nil {
                let id = try rows.binaryInt(row, "photo_id")
                guard let blob = try rows.bytes(row, "vector"), blob.count == dimension * 4 else {
                    throw EdgeflowError(.invalidArchive, "\(location): photo \(id) has a vector of the wrong size "
                                            + "for the \(dimension)-d model \(model)")
                }
                // float32 little-endian, as stored (x86 and ARM are little-endian)
                target.baseAddress!.advanced(by: ids.count * dimension * 4).copyMemory(from: blob.baseAddress!,
                                                                                       byteCount: blob.count)
                ids.append(id)
            }
        }
        vectors.removeLast((rows.count - ids.count) * dimension)
        return (ids, vectors)
    }
}
