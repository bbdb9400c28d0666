// The photo library: one SQLite database (WAL mode, so a reader never waits for the indexer
// and a killed indexer leaves only whole transactions). This file opens it and answers the
// read queries; LibraryEmbeddingReads.swift reads the vectors, LibraryScanUpdate.swift applies a
// folder scan, LibraryIndexWrites.swift stores what indexing produced.

import EFCore
import Foundation
import GRDB

/// A photo library on disk. Thread-safe: reads run concurrently, writes one at a time.
public final class PhotoLibrary: @unchecked Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool

    /// The default library: `$XDG_DATA_HOME/edgeflow/photos.sqlite` (or `~/.local/share/…`).
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("edgeflow/photos.sqlite")
    }

    /// Opens the library at `path`, creating it (and its folder) when `create` is true.
    /// - Throws: `EdgeflowError.io` when it cannot be opened or created; `.invalidArchive` for a
    ///   file that is not an Edgeflow library or comes from a newer Edgeflow.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard create else {
                throw EdgeflowError(.io, "no photo library at \(path)",
                                    hint: "index a folder first: edgeflow photos index FOLDER --library \(path)")
            }
            let folder = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder,
                                                     withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in try LibrarySchema.prepare(db, path: path) }
        } catch let error as EdgeflowError {
            throw error
        } catch {
            throw Self.wrap(error, "cannot open the photo library \(path)")
        }
    }

    /// Every photo, ordered by path.
    public func photos() throws -> [PhotoRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM photos ORDER BY path").map { try Self.record($0) } }
    }

    /// The photo with `id`, or nil.
    public func photo(id: Int64) throws -> PhotoRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM photos WHERE id = ?", arguments: [id]).map { try Self.record($0) }
        }
    }

    public func photos(ids: [Int64]) throws -> [Int64: PhotoRecord] {
        try read { db in
            var found: [Int64: PhotoRecord] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {  // under SQLite's 32,766 parameters
                let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT * FROM photos WHERE id IN (\(marks))",
                                            arguments: StatementArguments(part)) {
                    let record = try Self.record(row)
                    found[record.id] = record
                }
            }
            return found
        }
    }

    /// The photo at `path` (absolute), or nil.
    public func photo(path: String) throws -> PhotoRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM photos WHERE path = ?", arguments: [path])
                .map { try Self.record($0) }
        }
    }

    /// Every photo with the models that embedded it and whether it has a thumbnail and text.
    public func listing() throws -> [PhotoListing] {
        try read { db in
            let modelsByPhoto = try Row.fetchAll(db, sql: """
                SELECT e.photo_id, m.name FROM embeddings e JOIN models m ON m.id = e.model_id ORDER BY m.name
                """).reduce(into: [Int64: [String]]()) { models, row in
                    models[try row.value("photo_id"), default: []].append(try row.value("name"))
                }
            let thumbnails = Set(try Int64.fetchAll(db, sql: "SELECT photo_id FROM thumbnails"))
            let texts = try Row.fetchAll(db, sql: """
                SELECT r.photo_id, coalesce(t.text, '') AS text FROM text_reads r
                LEFT JOIN photo_text t ON t.rowid = r.photo_id
                """).reduce(into: [Int64: String]()) { texts, row in
                    texts[try row.value("photo_id")] = try row.value("text")
                }
            return try Row.fetchAll(db, sql: "SELECT * FROM photos ORDER BY path").map { row in
                let photo = try Self.record(row)
                return PhotoListing(photo: photo, models: modelsByPhoto[photo.id] ?? [],
                                    hasThumbnail: thumbnails.contains(photo.id), text: texts[photo.id])
            }
        }
    }

    /// Every photo's capture date ("YYYY-MM-DDTHH:MM:SS"): EXIF when it has one, else the file's
    /// modification time (UTC).
    public func captureDates() throws -> [Int64: String] {
        try read { db in
            var dates: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, taken_at, mtime_ns FROM photos") {
                let mtime: Int64 = try row.value("mtime_ns")
                dates[try row.value("id")] = try row.value("taken_at") ?? Self.isoDate(nanoseconds: mtime)
            }
            return dates
        }
    }

    /// A time in nanoseconds since 1970 as "YYYY-MM-DDTHH:MM:SS" (UTC).
    public static func isoDate(nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// The thumbnail JPEG of a photo, or nil.
    public func thumbnail(id: Int64) throws -> [UInt8]? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT jpeg FROM thumbnails WHERE photo_id = ?", arguments: [id])
                .map { [UInt8]($0) }
        }
    }

    /// The models this library holds embeddings for: name and dimension.
    public func models() throws -> [(name: String, dimension: Int, count: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.name, m.dimension, count(e.photo_id) AS n FROM models m
                LEFT JOIN embeddings e ON e.model_id = m.id GROUP BY m.id ORDER BY m.name
                """).map { (try $0.value("name"), try $0.value("dimension"), try $0.value("n")) }
        }
    }

    /// Runs a read transaction, turning database errors into `EdgeflowError.io`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as EdgeflowError { throw error } catch {
            throw Self.wrap(error, "reading the photo library \(path)")
        }
    }

    /// Runs a write transaction, turning database errors into `EdgeflowError.io`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as EdgeflowError { throw error } catch {
            throw Self.wrap(error, "writing the photo library \(path)")
        }
    }

    static func wrap(_ error: Error, _ what: String) -> EdgeflowError {
        if let database = error as? DatabaseError {
            let message = database.message ?? "\(database.resultCode)"
            if database.resultCode == .SQLITE_NOTADB {
                return EdgeflowError(.invalidArchive, "\(what): the file is not an SQLite database",
                                     hint: "give --library a new file name or an existing library")
            }
            return EdgeflowError(.io, "\(what): \(message)")
        }
        return EdgeflowError(.io, "\(what): \(error)")
    }

    static func record(_ row: Row) throws -> PhotoRecord {
        PhotoRecord(id: try row.value("id"), path: try row.value("path"), size: try row.value("size"),
                    mtimeNanoseconds: try row.value("mtime_ns"), contentHash: try row.value("content_hash"),
                    format: try row.value("format"), width: try row.value("width"), height: try row.value("height"),
                    takenAt: try row.value("taken_at"), lastError: try row.value("last_error"))
    }
}
