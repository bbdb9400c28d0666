// What indexing writes: index runs, the model an embedding set belongs to, the work still to
// do, and each batch of results in one transaction — so a run killed at any moment leaves
// whole photos or none, and the next run picks up exactly what is missing.

import EFCore
import Foundation
import GRDB

/// A photo the indexer still has to read.
public struct PendingPhoto: Sendable, Equatable {
    public var id: Int64
    public var path: String
    /// No thumbnail and metadata yet.
    public var needsMetadata: Bool
    /// No embedding for the run's model yet.
    public var needsEmbedding: Bool
    /// Not read by the run's text reader yet.
    public var needsText = false
}

extension PhotoLibrary: PhotoStore {
    /// The database file.
    public var location: String { path }

    /// Every pending photo in one batch (one indexer at a time writes an SQLite library).
    public func pendingWork(under folders: [String], modelID: Int64?, textReader: String?,
                            claims: ClaimOptions) throws -> any PendingWork {
        AllPendingPhotos(try pendingPhotos(under: folders, modelID: modelID, textReader: textReader))
    }

    /// Records the start of an index run; returns its id.
    public func beginRun(folders: [String], model: String?) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO runs (started_at, folders, model, status) VALUES (?, ?, ?, 'running')",
                           arguments: [Self.timestamp(), folders.joined(separator: "\n"), model])
            return db.lastInsertedRowID
        }
    }

    /// Records how a run ended.
    public func finishRun(_ id: Int64, status: String, changes: ScanChanges, embedded: Int, failed: Int) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE runs SET finished_at = ?, status = ?, found = ?, added = ?, changed = ?, moved = ?,
                removed = ?, embedded = ?, failed = ? WHERE id = ?
                """, arguments: [Self.timestamp(), status, changes.found, changes.added, changes.changed,
                                 changes.moved, changes.removed, embedded, failed, id])
        }
    }

    /// The id of the embedding set for `name`. A model whose fingerprint (its weights) changed
    /// keeps its name but loses its old vectors, so vectors of two models are never mixed.
    /// - Returns: the id, and whether old vectors were dropped.
    /// - Throws: `EdgeflowError.invalidInput` for a dimension outside 1...65536.
    public func registerModel(name: String, dimension: Int, fingerprint: String) throws -> (id: Int64, reset: Bool) {
        guard (1...65536).contains(dimension) else {
            throw EdgeflowError(.invalidInput, "model \(name) has embeddings of dimension \(dimension)")
        }
        return try write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, dimension, fingerprint FROM models WHERE name = ?",
                                          arguments: [name]) {
                let id: Int64 = try row.value("id")
                let stored: (Int, String) = (try row.value("dimension"), try row.value("fingerprint"))
                if stored == (dimension, fingerprint) { return (id, false) }
                try db.execute(sql: "DELETE FROM embeddings WHERE model_id = ?", arguments: [id])
                try db.execute(sql: "UPDATE models SET dimension = ?, fingerprint = ? WHERE id = ?",
                               arguments: [dimension, fingerprint, id])
                return (id, true)
            }
            try db.execute(sql: "INSERT INTO models (name, dimension, fingerprint) VALUES (?, ?, ?)",
                           arguments: [name, dimension, fingerprint])
            return (db.lastInsertedRowID, false)
        }
    }

    /// The photos under `folders` that still need metadata, (with `modelID`) an embedding or
    /// (with `textReader`) reading by that reader, skipping those whose last read failed (they
    /// are retried when the file changes).
    public func pendingPhotos(under folders: [String], modelID: Int64?,
                              textReader: String? = nil) throws -> [PendingPhoto] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.id, p.path,
                       (p.content_hash IS NULL OR t.photo_id IS NULL) AS needs_metadata,
                       (? IS NOT NULL AND e.photo_id IS NULL) AS needs_embedding,
                       (? IS NOT NULL AND (r.photo_id IS NULL OR r.reader IS NOT ?)) AS needs_text
                FROM photos p
                LEFT JOIN thumbnails t ON t.photo_id = p.id
                LEFT JOIN embeddings e ON e.photo_id = p.id AND e.model_id = ?
                LEFT JOIN text_reads r ON r.photo_id = p.id
                WHERE p.last_error IS NULL ORDER BY p.path
                """, arguments: [modelID, textReader, textReader, modelID])
            return try rows.compactMap { row in
                let photo = PendingPhoto(id: try row.value("id"), path: try row.value("path"),
                                         needsMetadata: try row.value("needs_metadata"),
                                         needsEmbedding: try row.value("needs_embedding"),
                                         needsText: try row.value("needs_text"))
                guard photo.needsMetadata || photo.needsEmbedding || photo.needsText,
                      Self.isUnder(photo.path, folders) else { return nil }
                return photo
            }
        }
    }

    /// Stores one batch of results in one transaction (text read by `textReader`).
    /// - Throws: `EdgeflowError.invalidInput` for an embedding of the wrong dimension.
    public func store(_ results: [IndexedPhoto], modelID: Int64?, textReader: String? = nil) throws {
        try write { db in
            let dimension = try modelID.flatMap {
                try Int.fetchOne(db, sql: "SELECT dimension FROM models WHERE id = ?", arguments: [$0])
            }
            for result in results {
                if let error = result.error {
                    try db.execute(sql: "UPDATE photos SET content_hash = ?, last_error = ? WHERE id = ?",
                                   arguments: [result.contentHash, String(error.prefix(2000)), result.id])
                    continue
                }
                try db.execute(sql: """
                    UPDATE photos SET content_hash = ?, format = coalesce(?, format), width = coalesce(?, width),
                    height = coalesce(?, height), taken_at = coalesce(?, taken_at), last_error = NULL WHERE id = ?
                    """, arguments: [result.contentHash, result.format, result.width, result.height, result.takenAt,
                                     result.id])
                if let thumbnail = result.thumbnail {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO thumbnails (photo_id, width, height, jpeg) VALUES (?, ?, ?, ?)
                        """, arguments: [result.id, thumbnail.width, thumbnail.height, Data(thumbnail.jpeg)])
                }
                if let embedding = result.embedding, let modelID {
                    guard embedding.count == dimension else {
                        throw EdgeflowError(.invalidInput, "an embedding of \(embedding.count) values for a "
                                                + "\(dimension ?? 0)-d model")
                    }
                    let blob = embedding.withUnsafeBufferPointer { Data(buffer: $0) }
                    // A rowid past every row's (taken before REPLACE deletes the old one), so a write
                    // always moves max(rowid): the stamp a running `photos serve` polls.
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO embeddings (rowid, photo_id, model_id, vector)
                        VALUES ((SELECT coalesce(max(rowid), 0) + 1 FROM embeddings), ?, ?, ?)
                        """, arguments: [result.id, modelID, blob])
                }
                if let lines = result.text, let textReader { try storeText(db, lines, photo: result.id, textReader) }
            }
        }
    }

    /// Replaces a photo's text with `lines` (none: the photo was read and has no text).
    private func storeText(_ db: Database, _ lines: [String], photo: Int64, _ reader: String) throws {
        try db.execute(sql: "DELETE FROM photo_text WHERE rowid = ?", arguments: [photo])
        if !lines.isEmpty {
            try db.execute(sql: "INSERT INTO photo_text (rowid, text) VALUES (?, ?)",
                           arguments: [photo, String(lines.joined(separator: "\n").prefix(100_000))])
        }
        try db.execute(sql: "INSERT OR REPLACE INTO text_reads (photo_id, reader, lines) VALUES (?, ?, ?)",
                       arguments: [photo, reader, lines.count])
    }
}
