// The photo library's PostgreSQL schema and its format version (a one-row table, like SQLite's
// `user_version`). Creating it is serialized by an advisory lock, so workers starting together
// on an empty database create it once; a library written by a newer Edgeflow is refused, an
// older one migrated (under the same lock).

import EFCore

enum PostgresSchema {
    /// The format this Edgeflow writes into `edgeflow_library.format_version`.
    static let formatVersion = 3
    /// The advisory lock that serializes schema creation and folder scans (taken shared by the
    /// transactions storing results).
    static let lockKey = "7203641590"

    /// Creates the tables of an empty database, or checks an existing library's version and
    /// migrates an older one.
    /// - Throws: `EdgeflowError.invalidArchive` for a library from a newer Edgeflow or a database
    ///   holding other tables; `.io` for a missing library when `create` is false.
    static func prepare(_ connection: PostgresConnection, create: Bool) throws {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.text(lockKey)])
            let tables = try connection.execute("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
                """)
            let names = try (0..<tables.count).compactMap { try tables.string($0, "table_name") }
            if names.contains("edgeflow_library") {
                let row = try connection.execute("SELECT max(format_version) AS version FROM edgeflow_library")
                let version = try row.int(0, "version") ?? 0
                guard version <= formatVersion else {
                    throw EdgeflowError(.invalidArchive,
                                        "\(connection.location): the photo library has format version \(version); "
                                            + "this Edgeflow reads up to \(formatVersion)",
                                        hint: "open it with a newer Edgeflow, or give another --library")
                }
                if version < 2 { try connection.executeScript(version2) }
                if version < 3 { try connection.executeScript(version3) }
                return
            }
            guard names.isEmpty else {
                throw EdgeflowError(.invalidArchive, "\(connection.location) holds tables but is not an Edgeflow "
                                        + "photo library", hint: "give --library an empty database")
            }
            guard create else {
                throw EdgeflowError(.io, "no photo library at \(connection.location)",
                                    hint: "index a folder first: edgeflow photos index FOLDER --library URL")
            }
            try connection.executeScript(version1)
            try connection.execute("INSERT INTO edgeflow_library (format_version) VALUES (1)")
            try connection.executeScript(version2)
            try connection.executeScript(version3)
        }
    }

    /// Version 1: the SQLite library's tables (format 2) with bytea blobs, text as a word array
    /// for containment search, and each photo's claim (which worker, until when).
    private static let version1 = """
        CREATE TABLE edgeflow_library (format_version integer NOT NULL);
        CREATE TABLE photos (
            id bigserial PRIMARY KEY,
            path text NOT NULL UNIQUE,
            size bigint NOT NULL,
            mtime_ns bigint NOT NULL,
            content_hash text,
            format text,
            width integer,
            height integer,
            taken_at text,
            added_at text NOT NULL,
            last_error text,
            seen_run bigint NOT NULL,
            claimed_by text,
            claimed_until timestamptz
        );
        CREATE INDEX photos_by_size ON photos(size);
        CREATE TABLE models (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            dimension integer NOT NULL CHECK (dimension BETWEEN 1 AND 65536),
            fingerprint text NOT NULL
        );
        CREATE TABLE embeddings (
            photo_id bigint NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
            model_id bigint NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            vector bytea NOT NULL,
            PRIMARY KEY (model_id, photo_id)
        );
        CREATE INDEX embeddings_by_photo ON embeddings(photo_id);
        CREATE TABLE thumbnails (
            photo_id bigint PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            width integer NOT NULL,
            height integer NOT NULL,
            jpeg bytea NOT NULL
        );
        CREATE TABLE photo_text (
            photo_id bigint PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            text text NOT NULL,
            words text[] NOT NULL
        );
        CREATE INDEX photo_text_words ON photo_text USING gin (words);
        CREATE TABLE text_reads (
            photo_id bigint PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            reader text NOT NULL,
            lines integer NOT NULL
        );
        CREATE TABLE runs (
            id bigserial PRIMARY KEY,
            started_at text NOT NULL,
            finished_at text,
            folders text NOT NULL,
            model text,
            status text NOT NULL,
            found integer NOT NULL DEFAULT 0,
            added integer NOT NULL DEFAULT 0,
            changed integer NOT NULL DEFAULT 0,
            moved integer NOT NULL DEFAULT 0,
            removed integer NOT NULL DEFAULT 0,
            embedded integer NOT NULL DEFAULT 0,
            failed integer NOT NULL DEFAULT 0
        );
        """

    /// Version 2: each embedding row records the transaction that last wrote it (a 64-bit xid8,
    /// set on insert by the default and on update by a trigger, whoever writes), indexed per
    /// model, so a running search reads the rows written since its stamp through the index
    /// instead of scanning every row's xmin. Migrating a version 1 library gives every existing
    /// row the migrating transaction (a search's next delta reads them all once).
    private static let version2 = """
        ALTER TABLE embeddings ADD COLUMN written_by xid8 NOT NULL DEFAULT pg_current_xact_id();
        CREATE FUNCTION edgeflow_embedding_written() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.written_by := pg_current_xact_id();
            RETURN NEW;
        END $$;
        CREATE TRIGGER embeddings_written BEFORE UPDATE ON embeddings
            FOR EACH ROW EXECUTE FUNCTION edgeflow_embedding_written();
        CREATE INDEX embeddings_by_writer ON embeddings(model_id, written_by);
        UPDATE edgeflow_library SET format_version = 2;
        """

    /// Version 3: each model counts its embedding rows ever removed (a statement-level trigger
    /// adds a deleting statement's rows per model, cascades from removed photos included), so a
    /// running search tells a removal from its stamp without counting the model's rows (an
    /// index-only scan of every row per check: 12.5 ms at 100,000). Inserts, which several
    /// workers make at once, touch no shared row.
    private static let version3 = """
        ALTER TABLE models ADD COLUMN removed bigint NOT NULL DEFAULT 0;
        CREATE FUNCTION edgeflow_embeddings_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE models m SET removed = m.removed + g.n
            FROM (SELECT model_id, count(*) AS n FROM gone GROUP BY model_id) g
            WHERE m.id = g.model_id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER embeddings_removed AFTER DELETE ON embeddings REFERENCING OLD TABLE AS gone
            FOR EACH STATEMENT EXECUTE FUNCTION edgeflow_embeddings_removed();
        UPDATE edgeflow_library SET format_version = 3;
        """
}
