// Applies a folder scan to the PostgreSQL library (ScanPlan.swift decides what changes, as for
// SQLite) in one transaction. Scans of several workers are serialized by an advisory lock and
// new paths are inserted with ON CONFLICT DO NOTHING, so concurrent scans of one share never
// duplicate a photo; bulk statements take arrays, so 100,000 photos are a few round trips.

import EFCore
import Foundation

extension PostgresPhotoLibrary {
    public func applyScan(_ files: [ScannedFile], folders: [String], unavailable: [String], run: Int64,
                          contentHash: (String) -> String?) throws -> ScanChanges {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.text(PostgresSchema.lockKey)])
            let rows = try connection.execute("""
                SELECT id, path, size, mtime_ns, content_hash FROM photos
                WHERE path = ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($2::text[]) f WHERE starts_with(path, f))
                """, Self.folderFilter(folders))
            let stored = try (0..<rows.count).map { row in
                StoredFile(id: try rows.required(row, "id"), path: try rows.string(row, "path") ?? "",
                           size: Int(try rows.required(row, "size")),
                           mtimeNanoseconds: try rows.required(row, "mtime_ns"),
                           contentHash: try rows.string(row, "content_hash"))
            }
            var plan = ScanPlan(files: files, stored: stored, folders: folders, unavailable: unavailable,
                                contentHash: contentHash)
            let runValue = PostgresValue.int(run)
            for (id, file) in plan.changed {
                try connection.execute("""
                    UPDATE photos SET size = $1::bigint, mtime_ns = $2::bigint, content_hash = NULL, format = NULL,
                    width = NULL, height = NULL, taken_at = NULL, last_error = NULL, seen_run = $3::bigint
                    WHERE id = $4::bigint
                    """, [.int(file.size), .int(file.mtimeNanoseconds), runValue, .int(id)])
                for table in ["embeddings", "thumbnails", "photo_text", "text_reads"] {
                    try connection.execute("DELETE FROM \(table) WHERE photo_id = $1::bigint", [.int(id)])
                }
            }
            try connection.execute("UPDATE photos SET seen_run = $1::bigint WHERE id = ANY($2::bigint[])",
                                   [runValue, .array(plan.unchanged)])
            for (id, file) in plan.moved {
                try connection.execute("""
                    UPDATE photos SET path = $1, mtime_ns = $2::bigint, seen_run = $3::bigint WHERE id = $4::bigint
                    """, [.text(file.path), .int(file.mtimeNanoseconds), runValue, .int(id)])
            }
            let inserted = try connection.execute("""
                INSERT INTO photos (path, size, mtime_ns, added_at, seen_run)
                SELECT f.path, f.size, f.mtime_ns, $4, $5::bigint
                FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS f(path, size, mtime_ns, n)
                ORDER BY f.n ON CONFLICT (path) DO NOTHING RETURNING id
                """, [.array(plan.added.map(\.path)), .array(plan.added.map { Int64($0.size) }),
                      .array(plan.added.map(\.mtimeNanoseconds)), .text(PhotoLibrary.timestamp()), runValue])
            plan.changes.added = inserted.count
            try connection.execute("DELETE FROM photos WHERE id = ANY($1::bigint[])", [.array(plan.removed)])
            return plan.changes
        }
    }

    /// `$1`: the folders themselves; `$2`: the prefixes of what lies inside them.
    static func folderFilter(_ folders: [String]) -> [PostgresValue] {
        [.array(folders), .array(folders.map { $0.hasSuffix("/") ? $0 : $0 + "/" })]
    }
}
