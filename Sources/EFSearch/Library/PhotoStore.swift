// The storage operations the indexer, the queries, the command line and the web page use, as one
// protocol with two implementations: `PhotoLibrary` (one SQLite file) and
// `PostgresPhotoLibrary` (a PostgreSQL database several indexing machines share). The library
// location picks one: a `postgres://` or `postgresql://` URL, or a file path.

import EFCore
import Foundation

/// A photo library, wherever it is kept. Implementations are thread-safe.
public protocol PhotoStore: AnyObject, Sendable {
    /// Where the library is, for messages: the file path, or the URL without its password.
    var location: String { get }

    /// Every photo, ordered by path.
    func photos() throws -> [PhotoRecord]
    /// The photo with `id`, or nil.
    func photo(id: Int64) throws -> PhotoRecord?
    /// The photos with `ids` that exist, by id: one query for a page of search hits.
    func photos(ids: [Int64]) throws -> [Int64: PhotoRecord]
    /// The photo at `path` (absolute), or nil.
    func photo(path: String) throws -> PhotoRecord?
    /// Every photo with the models that embedded it and whether it has a thumbnail and text.
    func listing() throws -> [PhotoListing]
    /// Every photo's capture date ("YYYY-MM-DDTHH:MM:SS"): EXIF, else the file's mtime (UTC).
    func captureDates() throws -> [Int64: String]
    /// The thumbnail JPEG of a photo, or nil.
    func thumbnail(id: Int64) throws -> [UInt8]?
    /// The models this library holds embeddings for: name, dimension and count.
    func models() throws -> [(name: String, dimension: Int, count: Int)]
    /// All embeddings of `model`: photo ids and their vectors (row i of the table is ids[i]).
    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    func embeddings(model: String) throws -> (ids: [Int64], dimension: Int, vectors: [Float])
    /// Where `model`'s embeddings stand now: how many there are and the position from which a
    /// later `embeddings(model:writtenAfter:)` lists what was written. Cheap: one aggregate query.
    func embeddingsStamp(model: String) throws -> EmbeddingsStamp
    /// The embeddings of `model` added or replaced since `stamp` was taken, ordered by photo id,
    /// with the stamp as of the same read, so a running search updates its vectors instead of
    /// loading them all again. It may list rows the stamp's reader already saw (PostgreSQL lists
    /// what transactions still open then may have written), never fewer than were written.
    /// - Throws: `EdgeflowError.invalidArchive` for a stored vector of the wrong size.
    func embeddings(model: String, writtenAfter stamp: EmbeddingsStamp) throws -> EmbeddingsDelta
    /// The ids of the photos `model` has embedded, ascending: what a running search keeps when
    /// photos were removed.
    func embeddingIDs(model: String) throws -> [Int64]
    /// The photo counts and the last index run.
    func status() throws -> LibraryStatus
    /// The photos whose text holds every word of `words` (any order, case and accents ignored).
    /// - Throws: `EdgeflowError.invalidArgument` for text with no word or over 1000 characters.
    func photosWithText(_ words: String) throws -> [(id: Int64, text: String)]

    /// Records the start of an index run; returns its id.
    func beginRun(folders: [String], model: String?) throws -> Int64
    /// Records how a run ended.
    func finishRun(_ id: Int64, status: String, changes: ScanChanges, embedded: Int, failed: Int) throws
    /// The id of the embedding set for `name` (old vectors dropped when the fingerprint changed).
    /// - Throws: `EdgeflowError.invalidInput` for a dimension outside 1...65536.
    func registerModel(name: String, dimension: Int, fingerprint: String) throws -> (id: Int64, reset: Bool)
    /// Applies a folder scan (see `PhotoLibrary.applyScan`); concurrent scans never duplicate a path.
    func applyScan(_ files: [ScannedFile], folders: [String], unavailable: [String], run: Int64,
                   contentHash: (String) -> String?) throws -> ScanChanges
    /// The photos under `folders` this run still has to read, handed out in batches.
    func pendingWork(under folders: [String], modelID: Int64?, textReader: String?,
                     claims: ClaimOptions) throws -> any PendingWork
    /// Stores one batch of results in one transaction (and gives up this worker's claims on them).
    /// - Throws: `EdgeflowError.invalidInput` for an embedding of the wrong dimension.
    func store(_ results: [IndexedPhoto], modelID: Int64?, textReader: String?) throws
}

/// What `PhotoStore.embeddingsStamp(model:)` returns: the number of a model's embeddings (where
/// counted), where the rows written after it begin, and how many of its rows were ever removed.
public struct EmbeddingsStamp: Hashable, Sendable {
    /// The model's rows (SQLite); nil where the store does not count them on every check
    /// (PostgreSQL: `removed` tells a removal, and its horizon every row written).
    public var count: Int?
    /// The first row version not seen: SQLite, one past the largest rowid (every write takes a
    /// rowid past every row's); PostgreSQL, the oldest transaction still running (a row with an
    /// older transaction id was committed and visible when the stamp was read).
    public var since: Int64
    /// Rows of the model removed so far, counted by a trigger (SQLite: a removal can give the next
    /// write a rowid below `since`; PostgreSQL: so that no check counts the rows).
    public var removed: Int64

    public init(count: Int?, since: Int64, removed: Int64 = 0) {
        self.count = count
        self.since = since
        self.removed = removed
    }
}

/// What `PhotoStore.embeddings(model:writtenAfter:)` returns: the rows written after a stamp
/// (`vectors` holds `ids.count` rows of the model's dimension, back to back) and the stamp now.
/// Rows removed since are not listed: `stamp.count` and `stamp.removed` tell.
public struct EmbeddingsDelta: Sendable {
    public var ids: [Int64]
    public var vectors: [Float]
    public var stamp: EmbeddingsStamp

    public init(ids: [Int64], vectors: [Float], stamp: EmbeddingsStamp) {
        self.ids = ids
        self.vectors = vectors
        self.stamp = stamp
    }
}

/// How a shared library hands out work: batches of photos claimed for a lease time.
public struct ClaimOptions: Sendable {
    /// Photos claimed at a time.
    public var batch = 64
    /// Seconds a claim holds; a worker that has not stored its photos by then (it crashed) loses
    /// them to the others.
    public var leaseSeconds = 600.0

    public init(batch: Int = 64, leaseSeconds: Double = 600) {
        self.batch = batch
        self.leaseSeconds = leaseSeconds
    }
}

/// The photos an index run still has to read.
public protocol PendingWork: AnyObject {
    /// How many photos were pending when the run began (others may take some of them).
    var total: Int { get }
    /// The next photos to read; empty when there is nothing left for this worker.
    func next() throws -> [PendingPhoto]
    /// Gives up what this worker still holds (photos gone from disk when their turn came), so the
    /// next run reads them again.
    func finish() throws
}

/// Every pending photo in one batch: a library only one indexer writes at a time.
final class AllPendingPhotos: PendingWork {
    private var photos: [PendingPhoto]?
    let total: Int

    init(_ photos: [PendingPhoto]) {
        self.photos = photos
        total = photos.count
    }

    func next() throws -> [PendingPhoto] {
        defer { photos = nil }
        return photos ?? []
    }

    func finish() throws {}
}

/// Opening a library by its location.
public enum PhotoStores {
    /// True for a `postgres://` or `postgresql://` URL.
    public static func isPostgresURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Opens the library at `location`: a PostgreSQL URL, or an SQLite file path (made absolute).
    /// - Parameter readConnections: for a PostgreSQL library, the size of its pool of read
    ///   connections (see `PostgresPhotoLibrary.init`; 0: none). An SQLite library always lets
    ///   readers run side by side (WAL mode).
    /// - Throws: `EdgeflowError.invalidArgument` for a malformed URL; `.io` when the library
    ///   cannot be reached or (without `create`) does not exist; `.invalidArchive` for a library
    ///   of a newer format or something that is not a photo library.
    public static func open(_ location: String, create: Bool, readConnections: Int = 0) throws -> any PhotoStore {
        if isPostgresURL(location) {
            return try PostgresPhotoLibrary(url: location, create: create, readConnections: readConnections)
        }
        if let scheme = location.range(of: "://").map({ location[..<$0.lowerBound] }),
           !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0 == "+" }) {
            throw EdgeflowError(.invalidArgument, "--library \(scheme)://… is not a library this Edgeflow can open",
                                hint: "give a file path (SQLite) or a postgres://user@host/db URL")
        }
        return try PhotoLibrary(path: PhotoScanner.absolute(location), create: create)
    }
}
