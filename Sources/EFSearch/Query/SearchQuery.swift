// What a photo search is asked (SearchQuery) and what it answers (SearchHit, SearchResult);
// PhotoSearch.swift runs it.

import Foundation

/// What to search for.
public struct SearchQuery: Sendable {
    public enum Order: String, Sendable { case score, date }
    /// Text to find (CLIP text → image).
    public var text: String?
    /// Texts whose meaning to push away.
    public var negatives: [String] = []
    /// Words the photo must show (found by the text reader; every word, any order).
    public var textInPhoto: String?
    /// An example photo (path): results look like it.
    public var likePhoto: String?
    /// An example photo of the library (its id): results look like it. Only its stored vector is
    /// used, so the photo must have been embedded by the model.
    public var likePhotoID: Int64?
    /// Capture dates (EXIF, else the file's time) from `after` (inclusive) to `before` (exclusive),
    /// as "YYYY-MM-DD" or longer ISO prefixes.
    public var after: String?
    public var before: String?
    /// Drop results scoring below this.
    public var minScore: Float?
    public var limit = 50
    public var order = Order.score
    /// Scan int8 vectors and rescore the best exactly (4× less memory traffic).
    public var compressed = false

    public init() {}
}

/// One result.
public struct SearchHit: Sendable {
    public var photo: PhotoRecord
    /// Inner product with the query vector; nil for a search without a query vector (dates only).
    public var score: Float?
    /// The photo's text, when the query asked for words in the photo.
    public var text: String?
    /// The capture date used for filtering and sorting.
    public var date: String
}

/// What a search found, with where its time went.
public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    /// Notes for the user (e.g. a query cut to the model's context).
    public var notes: [String]
    /// Seconds embedding the texts and the example photo.
    public var embedSeconds = 0.0
    /// Seconds of the vector scan and the lookup of the hits.
    public var scanSeconds = 0.0
}
