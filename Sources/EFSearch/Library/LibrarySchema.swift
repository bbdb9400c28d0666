// The photo library's SQLite schema and its format version. A library written by a newer
// Edgeflow (a higher version) is refused rather than guessed at; older versions are migrated
// forward in one transaction. Version 2 added `text_reads` (which photos the text reader has read),
// version 3 the count of each model's removed embeddings.

import EFCore
import GRDB

enum LibrarySchema {
    /// The format this Edgeflow writes, stored in `PRAGMA user_version`.
    static let formatVersion = 3

    /// Creates the tables of an empty library or checks an existing one's version.
    /// - Throws: `EdgeflowError.invalidArchive` for a library from a newer Edgeflow, or a file
    ///   that is not an Edgeflow library.
    static func prepare(_ db: Database, path: String) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > formatVersion {
            throw EdgeflowError(.invalidArchive,
                                "\(path): the photo library has format version \(version); this Edgeflow reads "
                                    + "up to \(formatVersion)",
                                hint: "open it with a newer Edgeflow, or give another --library")
        }
        if version == 0 {
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
            guard tables == 0 else {
                throw EdgeflowError(.invalidArchive, "\(path) is an SQLite database but not an Edgeflow photo library",
                                    hint: "give --library a new file name or an existing library")
            }
            try createVersion1(db)
        }
        if version < 2 { try addTextReads(db) }
        if version < 3 { try addRemovalCount(db) }
        if version < formatVersion { try db.execute(sql: "PRAGMA user_version = \(formatVersion)") }
    }

    /// Version 2: one row per photo the text reader has read (with how many lines it found), so a
    /// photo without text is not read again; the reader's name says which models and detector size.
    private static func addTextReads(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE text_reads (
                photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
                reader TEXT NOT NULL,
                lines INTEGER NOT NULL
            );
            """)
    }

    /// Version 3: `models.removed` counts the model's embeddings ever deleted (a trigger; SQLite
    /// fires it for cascaded deletes, not for INSERT OR REPLACE without recursive triggers), so a
    /// running search that sees it move knows rows went, even when as many were added.
    private static func addRemovalCount(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE models ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
            CREATE TRIGGER embeddings_removed AFTER DELETE ON embeddings BEGIN
                UPDATE models SET removed = removed + 1 WHERE id = OLD.model_id;
            END;
            """)
    }

    private static func createVersion1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE photos (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                content_hash TEXT,
                format TEXT,
                width INTEGER,
                height INTEGER,
                taken_at TEXT,
                added_at TEXT NOT NULL,
                last_error TEXT,
                seen_run INTEGER NOT NULL
            );
            CREATE INDEX photos_by_size ON photos(size);
            CREATE INDEX photos_by_date ON photos(taken_at);
            CREATE TABLE models (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                dimension INTEGER NOT NULL CHECK (dimension BETWEEN 1 AND 65536),
                fingerprint TEXT NOT NULL
            );
            -- A rowid table: a 512-d vector (2 KB) stays on its b-tree page (WITHOUT ROWID tables
            -- keep under ~1 KB per row there and spill the rest to overflow pages, 3x slower to load).
            CREATE TABLE embeddings (
                photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
                model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                vector BLOB NOT NULL,
                UNIQUE (model_id, photo_id)
            );
            CREATE INDEX embeddings_by_photo ON embeddings(photo_id);
            CREATE TABLE thumbnails (
                photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                jpeg BLOB NOT NULL
            );
            CREATE VIRTUAL TABLE photo_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                folders TEXT NOT NULL,
                model TEXT,
                status TEXT NOT NULL,
                found INTEGER NOT NULL DEFAULT 0,
                added INTEGER NOT NULL DEFAULT 0,
                changed INTEGER NOT NULL DEFAULT 0,
                moved INTEGER NOT NULL DEFAULT 0,
                removed INTEGER NOT NULL DEFAULT 0,
                embedded INTEGER NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0
            );
            """)
    }
}
