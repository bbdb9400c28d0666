// Applies a folder scan to the SQLite library in one transaction (ScanPlan.swift decides what
// changes): new files become pending photos, changed files (size or mtime) lose what was derived
// from their old bytes, files that are gone are forgotten unless they were moved — a new file
// with the same size and content hash takes over the old row with its embeddings and thumbnail.
// Only photos under the scanned folders are touched, and never those under a folder that could
// not be read.

import EFCore
import Foundation
import GRDB

extension PhotoLibrary {
    /// Applies `files` (everything found under `folders`) to the library.
    /// - Parameters:
    ///   - unavailable: scanned folders that could not be read completely; photos under them are
    ///     kept even when they were not found.
    ///   - run: the index run doing this (recorded on every photo seen).
    ///   - contentHash: computes a file's content hash; called only for a new file whose size
    ///     equals a missing photo's, to notice moves.
    /// - Returns: the counts, for the run's report.
    public func applyScan(_ files: [ScannedFile], folders: [String], unavailable: [String], run: Int64,
                          contentHash: (String) -> String?) throws -> ScanChanges {
        try write { db in
            let stored = try Row.fetchAll(db, sql: "SELECT id, path, size, mtime_ns, content_hash FROM photos").map {
                StoredFile(id: try $0.value("id"), path: try $0.value("path"), size: try $0.value("size"),
                           mtimeNanoseconds: try $0.value("mtime_ns"), contentHash: try $0.value("content_hash"))
            }
            let plan = ScanPlan(files: files, stored: stored, folders: folders, unavailable: unavailable,
                                contentHash: contentHash)
            for (id, file) in plan.changed { try resetDerived(db, id: id, file: file, run: run) }
            for id in plan.unchanged {
                try db.execute(sql: "UPDATE photos SET seen_run = ? WHERE id = ?", arguments: [run, id])
            }
            for (id, file) in plan.moved {
                try db.execute(sql: "UPDATE photos SET path = ?, mtime_ns = ?, seen_run = ? WHERE id = ?",
                               arguments: [file.path, file.mtimeNanoseconds, run, id])
            }
            let now = Self.timestamp()
            for file in plan.added {
                try db.execute(sql: """
                    INSERT INTO photos (path, size, mtime_ns, added_at, seen_run) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [file.path, file.size, file.mtimeNanoseconds, now, run])
            }
            for id in plan.removed {
                try db.execute(sql: "DELETE FROM photo_text WHERE rowid = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM photos WHERE id = ?", arguments: [id])
            }
            return plan.changes
        }
    }

    /// Forgets everything derived from a file's old bytes; it is indexed again.
    private func resetDerived(_ db: Database, id: Int64, file: ScannedFile, run: Int64) throws {
        try db.execute(sql: """
            UPDATE photos SET size = ?, mtime_ns = ?, content_hash = NULL, format = NULL, width = NULL,
            height = NULL, taken_at = NULL, last_error = NULL, seen_run = ? WHERE id = ?
            """, arguments: [file.size, file.mtimeNanoseconds, run, id])
        try db.execute(sql: "DELETE FROM embeddings WHERE photo_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM thumbnails WHERE photo_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM photo_text WHERE rowid = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM text_reads WHERE photo_id = ?", arguments: [id])
    }

    /// True when `path` is one of `folders` or inside one.
    static func isUnder(_ path: String, _ folders: [String]) -> Bool {
        folders.contains { folder in
            path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
        }
    }

    /// Now as ISO 8601 (UTC, seconds).
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
