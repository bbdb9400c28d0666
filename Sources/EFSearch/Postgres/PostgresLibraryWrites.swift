// What indexing writes into the PostgreSQL library: index runs, the model an embedding set
// belongs to, and each batch of results in one transaction (which also ends this worker's
// claims on those photos). A photo another worker's scan removed meanwhile is skipped.

import EFCore
import Foundation

extension PostgresPhotoLibrary {
    public func beginRun(folders: [String], model: String?) throws -> Int64 {
        let rows = try connection.execute("""
            INSERT INTO runs (started_at, folders, model, status) VALUES ($1, $2, $3, 'running') RETURNING id
            """, [.text(PhotoLibrary.timestamp()), .text(folders.joined(separator: "\n")), .string(model)])
        return try rows.required(0, "id")
    }

    public func finishRun(_ id: Int64, status: String, changes: ScanChanges, embedded: Int, failed: Int) throws {
        try connection.execute("""
            UPDATE runs SET finished_at = $1, status = $2, found = $3::integer, added = $4::integer,
            changed = $5::integer, moved = $6::integer, removed = $7::integer, embedded = $8::integer,
            failed = $9::integer WHERE id = $10::bigint
            """, [.text(PhotoLibrary.timestamp()), .text(status), .int(changes.found), .int(changes.added),
                  .int(changes.changed), .int(changes.moved), .int(changes.removed), .int(embedded), .int(failed),
                  .int(id)])
    }

    /// - Throws: `EdgeflowError.invalidInput` for a dimension outside 1...65536.
    public func registerModel(name: String, dimension: Int, fingerprint: String) throws -> (id: Int64, reset: Bool) {
        guard (1...65536).contains(dimension) else {
            throw EdgeflowError(.invalidInput, "model \(name) has embeddings of dimension \(dimension)")
        }
        return try connection.transaction {
            try connection.execute("""
                INSERT INTO models (name, dimension, fingerprint) VALUES ($1, $2::integer, $3)
                ON CONFLICT (name) DO NOTHING
                """, [.text(name), .int(dimension), .text(fingerprint)])
            let rows = try connection.execute(
                "SELECT id, dimension, fingerprint FROM models WHERE name = $1 FOR UPDATE", [.text(name)])
            let id = try rows.required(0, "id")
            if try rows.required(0, "dimension") == Int64(dimension), try rows.string(0, "fingerprint") == fingerprint {
                return (id, false)
            }
            try connection.execute("DELETE FROM embeddings WHERE model_id = $1::bigint", [.int(id)])
            try connection.execute("UPDATE models SET dimension = $1::integer, fingerprint = $2 WHERE id = $3::bigint",
                                   [.int(dimension), .text(fingerprint), .int(id)])
            return (id, true)
        }
    }

    /// - Throws: `EdgeflowError.invalidInput` for an embedding of the wrong dimension.
    public func store(_ results: [IndexedPhoto], modelID: Int64?, textReader: String? = nil) throws {
        let dimension = try modelID.flatMap { id -> Int? in
            let rows = try connection.execute("SELECT dimension FROM models WHERE id = $1::bigint", [.int(id)])
            return rows.count == 0 ? nil : Int(try rows.required(0, "dimension"))
        }
        for result in results {
            if let embedding = result.embedding, modelID != nil, embedding.count != dimension {
                throw EdgeflowError(.invalidInput, "an embedding of \(embedding.count) values for a "
                                        + "\(dimension ?? 0)-d model")
            }
        }
        try connection.transaction {
            // Scans hold this lock exclusively: a scan and a batch never wait for each other's rows
            // (no deadlock between the scan's bulk updates and this batch's claim renewal).
            try connection.execute("SELECT pg_advisory_xact_lock_shared($1::bigint)", [.text(PostgresSchema.lockKey)])
            // Locks the rows so that no other transaction changes them under this batch.
            let present = try connection.execute("""
                SELECT id FROM photos WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE
                """, [.array(results.map(\.id))])
            let ids = Set(try (0..<present.count).map { try present.required($0, "id") })
            for result in results where ids.contains(result.id) {
                try store(result, modelID: modelID, textReader: textReader)
            }
            try connection.execute("""
                UPDATE photos SET claimed_until = now() + make_interval(secs => $2::double precision)
                WHERE claimed_by = $1
                """, [.text(worker), .text(String(leaseSeconds))])
        }
    }

    private func store(_ result: IndexedPhoto, modelID: Int64?, textReader: String?) throws {
        let id = PostgresValue.int(result.id)
        if let error = result.error {
            try connection.execute("""
                UPDATE photos SET content_hash = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL
                WHERE id = $3::bigint
                """, [.text(result.contentHash), .text(String(error.prefix(2000))), id])
            return
        }
        try connection.execute("""
            UPDATE photos SET content_hash = $1, format = coalesce($2, format), width = coalesce($3::integer, width),
            height = coalesce($4::integer, height), taken_at = coalesce($5, taken_at), last_error = NULL,
            claimed_by = NULL, claimed_until = NULL WHERE id = $6::bigint
            """, [.text(result.contentHash), .string(result.format), .int(result.width), .int(result.height),
                  .string(result.takenAt), id])
        if let thumbnail = result.thumbnail {
            try connection.execute("""
                INSERT INTO thumbnails (photo_id, width, height, jpeg) VALUES ($1::bigint, $2::integer, $3::integer, $4)
                ON CONFLICT (photo_id) DO UPDATE SET width = excluded.width, height = excluded.height,
                jpeg = excluded.jpeg
                """, [id, .int(thumbnail.width), .int(thumbnail.height), .bytes(thumbnail.jpeg)])
        }
        if let embedding = result.embedding, let modelID {
            let blob = embedding.withUnsafeBytes { [UInt8]($0) }  // float32 little-endian
            try connection.execute("""
                INSERT INTO embeddings (photo_id, model_id, vector) VALUES ($1::bigint, $2::bigint, $3)
                ON CONFLICT (model_id, photo_id) DO UPDATE SET vector = excluded.vector
                """, [id, .int(modelID), .bytes(blob)])
        }
        if let lines = result.text, let textReader {
            try connection.execute("DELETE FROM photo_text WHERE photo_id = $1::bigint", [id])
            if !lines.isEmpty {
                let text = String(lines.joined(separator: "\n").prefix(100_000))
                try connection.execute(
                    "INSERT INTO photo_text (photo_id, text, words) VALUES ($1::bigint, $2, $3::text[])",
                    [id, .text(text), .array(PhotoLibrary.textWords(text))])
            }
            try connection.execute("""
                INSERT INTO text_reads (photo_id, reader, lines) VALUES ($1::bigint, $2, $3::integer)
                ON CONFLICT (photo_id) DO UPDATE SET reader = excluded.reader, lines = excluded.lines
                """, [id, .text(textReader), .int(lines.count)])
        }
    }
}
