// The values the photo library stores and returns: a scanned file, a photo's row, what one
// indexing step produced for a photo, and an index run's counts.

import Foundation

/// A file found by a folder scan.
public struct ScannedFile: Sendable, Equatable {
    /// Absolute, standardized path.
    public var path: String
    public var size: Int
    /// Modification time in nanoseconds since 1970.
    public var mtimeNanoseconds: Int64

    public init(path: String, size: Int, mtimeNanoseconds: Int64) {
        self.path = path
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
    }
}

/// One photo of the library.
public struct PhotoRecord: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var size: Int
    public var mtimeNanoseconds: Int64
    /// XXH64 of the file's bytes (hex), once it was read.
    public var contentHash: String?
    public var format: String?
    /// The displayed size (EXIF orientation applied), once it was decoded.
    public var width: Int?
    public var height: Int?
    /// "YYYY-MM-DDTHH:MM:SS" from EXIF, when the photo has it.
    public var takenAt: String?
    /// Why the photo could not be read, if it could not.
    public var lastError: String?
}

/// What indexing produced for one photo: metadata and thumbnail, an embedding, or an error.
public struct IndexedPhoto: Sendable {
    public var id: Int64
    public var contentHash: String
    public var format: String?
    public var width: Int?
    public var height: Int?
    public var takenAt: String?
    /// JPEG bytes and size of the thumbnail.
    public var thumbnail: (jpeg: [UInt8], width: Int, height: Int)?
    /// The L2-normalized embedding for the run's model.
    public var embedding: [Float]?
    /// The lines of text the run's text reader found (empty: read, none found; nil: not read).
    public var text: [String]?
    public var error: String?

    public init(id: Int64, contentHash: String, format: String? = nil, width: Int? = nil, height: Int? = nil,
                takenAt: String? = nil, thumbnail: (jpeg: [UInt8], width: Int, height: Int)? = nil,
                embedding: [Float]? = nil, error: String? = nil) {
        self.id = id
        self.contentHash = contentHash
        self.format = format
        self.width = width
        self.height = height
        self.takenAt = takenAt
        self.thumbnail = thumbnail
        self.embedding = embedding
        self.error = error
    }
}

/// How a scan changed the library.
public struct ScanChanges: Sendable, Equatable {
    public var found = 0
    public var added = 0
    public var changed = 0
    public var moved = 0
    public var removed = 0
    /// Scanned folders that could not be read; their photos were kept.
    public var unavailableFolders: [String] = []

    public init() {}
}

/// A photo's state for `photos list`.
public struct PhotoListing: Sendable {
    public var photo: PhotoRecord
    /// The models that embedded it.
    public var models: [String]
    public var hasThumbnail: Bool
    /// The text reader's lines, joined by newlines, when it read the photo (empty: no text found).
    public var text: String?
}
