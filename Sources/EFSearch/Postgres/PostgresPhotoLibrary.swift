// The photo library kept in PostgreSQL, for several machines indexing one photo share: this
// file connects and answers the read queries (the same answers as the SQLite `PhotoLibrary`)
// but the embeddings' (PostgresEmbeddingReads.swift); PostgresLibraryWrites.swift stores
// results, PostgresScan.swift applies folder scans and PostgresClaims.swift hands out pending
// photos to concurrent workers.

import EFCore
import Foundation

/// A photo library in a PostgreSQL database. Thread-safe: writes take one connection in turn;
/// reads take it too, or one of a pool of read connections when the library was opened with them.
public final class PostgresPhotoLibrary: PhotoStore, @unchecked Sendable {
    let connection: PostgresConnection
    /// The read connections, when opened with `readConnections` ≥ 1.
    let readers: PostgresReaderPool?
    /// This process's name in the claims it makes: host, process id and a random part.
    let worker: String
    /// Seconds a claim of this worker holds (set by `pendingWork`).
    var leaseSeconds = ClaimOptions().leaseSeconds

    /// The URL without its password.
    public var location: String { connection.location }

    /// Connects to the database at `url` and prepares (with `create`) or checks its schema.
    /// - Parameter readConnections: from 1 on, the read queries run on a pool of up to that many
    ///   connections of their own (opened when first needed), so concurrent readers (the requests
    ///   of `photos serve`) do not wait for each other; they see committed rows only. 0: every
    ///   statement takes the one connection in turn.
    /// - Throws: `EdgeflowError.invalidArgument` for a malformed URL; `.io` when the server cannot
    ///   be reached or (without `create`) holds no library; `.invalidArchive` for a library of a
    ///   newer format, or a database holding other tables.
    public init(url: String, create: Bool = true, readConnections: Int = 0) throws {
        let parsed = try PostgresURL(url)
        connection = try PostgresConnection(parsed)
        readers = readConnections > 0 ? PostgresReaderPool(url: parsed, capacity: readConnections) : nil
        worker = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        try PostgresSchema.prepare(connection, create: create)
    }

    /// Connections of the read pool open now (0 without one; for tests).
    public var openReadConnections: Int { readers?.openConnections ?? 0 }

    /// Runs a read statement on the read pool when there is one, else on the connection.
    func read(_ sql: String, _ parameters: [PostgresValue] = [], binary: Bool = false) throws -> PostgresRows {
        try readers?.execute(sql, parameters, binary: binary) ?? connection.execute(sql, parameters, binary: binary)
    }

    static let photoColumns = "id, path, size, mtime_ns, content_hash, format, width, height, taken_at, last_error"

    public func photos() throws -> [PhotoRecord] {
        try Self.records(try read("SELECT \(Self.photoColumns) FROM photos ORDER BY path COLLATE \"C\""))
    }

    public func photo(id: Int64) throws -> PhotoRecord? {
        try Self.records(try read("SELECT \(Self.photoColumns) FROM photos WHERE id = $1::bigint", [.int(id)])).first
    }

    public func photos(ids: [Int64]) throws -> [Int64: PhotoRecord] {
        let rows = try read("SELECT \(Self.photoColumns) FROM photos WHERE id = ANY($1::bigint[])", [.array(ids)])
        return Dictionary(try Self.records(rows).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func photo(path: String) throws -> PhotoRecord? {
        try Self.records(try read("SELECT \(Self.photoColumns) FROM photos WHERE path = $1", [.text(path)])).first
    }

    public func listing() throws -> [PhotoListing] {
        let rows = try read("""
            SELECT p.id, p.path, p.size, p.mtime_ns, p.content_hash, p.format, p.width, p.height, p.taken_at,
                   p.last_error, t.photo_id IS NOT NULL AS has_thumbnail,
                   CASE WHEN r.photo_id IS NULL THEN NULL ELSE coalesce(x.text, '') END AS text,
                   (SELECT string_agg(m.name, E'\\n' ORDER BY m.name COLLATE "C") FROM embeddings e
                    JOIN models m ON m.id = e.model_id WHERE e.photo_id = p.id) AS models
            FROM photos p LEFT JOIN thumbnails t ON t.photo_id = p.id
            LEFT JOIN text_reads r ON r.photo_id = p.id LEFT JOIN photo_text x ON x.photo_id = p.id
            ORDER BY p.path COLLATE "C"
            """)
        let photos = try Self.records(rows)
        return try photos.indices.map { row in
            PhotoListing(photo: photos[row],
                         models: try rows.string(row, "models").map { $0.components(separatedBy: "\n") } ?? [],
                         hasThumbnail: try rows.string(row, "has_thumbnail") == "t", text: try rows.string(row, "text"))
        }
    }

    public func captureDates() throws -> [Int64: String] {
        let rows = try read("SELECT id, taken_at, mtime_ns FROM photos")
        var dates: [Int64: String] = [:]
        for row in 0..<rows.count {
            dates[try rows.required(row, "id")] = try rows.string(row, "taken_at")
                ?? PhotoLibrary.isoDate(nanoseconds: try rows.required(row, "mtime_ns"))
        }
        return dates
    }

    public func thumbnail(id: Int64) throws -> [UInt8]? {
        let rows = try read("SELECT jpeg FROM thumbnails WHERE photo_id = $1::bigint", [.int(id)], binary: true)
        return rows.count == 0 ? nil : try rows.bytes(0, "jpeg").map { [UInt8]($0) }
    }

    public func models() throws -> [(name: String, dimension: Int, count: Int)] {
        let rows = try read("""
            SELECT m.name, m.dimension, count(e.photo_id) AS n FROM models m
            LEFT JOIN embeddings e ON e.model_id = m.id GROUP BY m.id ORDER BY m.name COLLATE "C"
            """)
        return try (0..<rows.count).map {
            (try rows.string($0, "name") ?? "", Int(try rows.required($0, "dimension")),
             Int(try rows.required($0, "n")))
        }
    }

    public func status() throws -> LibraryStatus {
        let counts = try read("""
            SELECT count(*) AS photos, count(last_error) AS unreadable FROM photos
            """)
        let runs = try read("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        let run = try (0..<runs.count).first.map { _ in
            IndexRunSummary(startedAt: try runs.string(0, "started_at") ?? "",
                            finishedAt: try runs.string(0, "finished_at"),
                            model: try runs.string(0, "model"), status: try runs.string(0, "status") ?? "",
                            found: Int(try runs.required(0, "found")), embedded: Int(try runs.required(0, "embedded")),
                            failed: Int(try runs.required(0, "failed")))
        }
        return LibraryStatus(photos: Int(try counts.required(0, "photos")),
                             unreadable: Int(try counts.required(0, "unreadable")), lastRun: run)
    }

    public func photosWithText(_ words: String) throws -> [(id: Int64, text: String)] {
        _ = try PhotoLibrary.ftsQuery(words)  // the same checks as SQLite's
        let tokens = PhotoLibrary.textWords(words)
        guard !tokens.isEmpty else { return [] }
        let rows = try read("""
            SELECT photo_id, text FROM photo_text WHERE words @> $1::text[] ORDER BY length(text), photo_id
            """, [.array(tokens)])
        return try (0..<rows.count).map { (try rows.required($0, "photo_id"), try rows.string($0, "text") ?? "") }
    }

    static func records(_ rows: PostgresRows) throws -> [PhotoRecord] {
        try (0..<rows.count).map { row in
            PhotoRecord(id: try rows.required(row, "id"), path: try rows.string(row, "path") ?? "",
                        size: Int(try rows.required(row, "size")), mtimeNanoseconds: try rows.required(row, "mtime_ns"),
                        contentHash: try rows.string(row, "content_hash"), format: try rows.string(row, "format"),
                        width: try rows.int(row, "width").map(Int.init),
                        height: try rows.int(row, "height").map(Int.init),
                        takenAt: try rows.string(row, "taken_at"), lastError: try rows.string(row, "last_error"))
        }
    }
}
