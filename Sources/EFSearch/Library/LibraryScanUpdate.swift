// Applies a folder scan to the library in one transaction: new files become pending photos,
// changed files (size or mtime) lose what was derived from their old bytes, files that are gone
// are forgotten unless they were moved — a new file with the same size and content hash takes
// over the old row with its embeddings and thumbnail. Only photos under the scanned folders are
// touched, and never those under a folder that could not be read.

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
            var changes = ScanChanges()
            changes.found = files.count
            changes.unavailableFolders = unavailable
            var byPath: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, path, size, mtime_ns, content_hash FROM photos") {
                let path: String = try row.value("path")
                if Self.isUnder(path, folders) { byPath[path] = row }
            }
            let foundPaths = Set(files.map(\.path))
            var missing = try MissingPhotos(byPath.filter { path, _ in
                !foundPaths.contains(path) && !Self.isUnder(path, unavailable)
            }.map(\.value))
            let now = Self.timestamp()
            for file in files {
                if let row = byPath[file.path] {
                    let id: Int64 = try row.value("id")
                    let size: Int = try row.value("size"), mtime: Int64 = try row.value("mtime_ns")
                    if size != file.size || mtime != file.mtimeNanoseconds {
                        try resetDerived(db, id: id, file: file, run: run)
                        changes.changed += 1
                    } else {
                        try db.execute(sql: "UPDATE photos SET seen_run = ? WHERE id = ?", arguments: [run, id])
                    }
                    continue
                }
                if let id = missing.take(sameAs: file, contentHash) {
                    try db.execute(sql: "UPDATE photos SET path = ?, mtime_ns = ?, seen_run = ? WHERE id = ?",
                                   arguments: [file.path, file.mtimeNanoseconds, run, id])
                    changes.moved += 1
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO photos (path, size, mtime_ns, added_at, seen_run) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [file.path, file.size, file.mtimeNanoseconds, now, run])
                changes.added += 1
            }
            for id in missing.remaining {
                try db.execute(sql: "DELETE FROM photo_text WHERE rowid = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM photos WHERE id = ?", arguments: [id])
                changes.removed += 1
            }
            return changes
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

/// The photos of a scan that were not found, by size, for noticing moves.
private struct MissingPhotos {
    private var hashesBySize: [Int: [(id: Int64, hash: String)]] = [:]
    private(set) var remaining: Set<Int64> = []

    init(_ rows: [Row]) throws {
        for row in rows {
            let id: Int64 = try row.value("id")
            remaining.insert(id)
            if let hash: String = try row.value("content_hash") {
                hashesBySize[try row.value("size"), default: []].append((id, hash))
            }
        }
    }

    /// The id of a missing photo with the same size and content as `file` (taken off the list).
    mutating func take(sameAs file: ScannedFile, _ contentHash: (String) -> String?) -> Int64? {
        guard let candidates = hashesBySize[file.size], candidates.contains(where: { remaining.contains($0.id) }),
              let hash = contentHash(file.path),
              let match = candidates.first(where: { $0.hash == hash && remaining.contains($0.id) }) else { return nil }
        remaining.remove(match.id)
        return match.id
    }
}
