// Searches a library: the query vector is the text's embedding and/or an example photo's, minus
// the negative texts' (rclip's `+`/`-` arithmetic), normalized; every photo embedded by the
// model is scored by inner product with it (VectorScan: exact fp32, or int8 with exact
// rescoring), restricted to the date range; results by score or by date.

import EFCore
import EFMedia
import Foundation

/// Searches one library with one model, holding its vectors in memory.
public final class PhotoSearch: @unchecked Sendable {
    public let library: any PhotoStore
    public let model: CLIPModel?
    /// Seconds between checks of the library for changed vectors (nil: never, a one-shot search).
    public let refreshInterval: Double?
    private let lock = NSLock()
    private var vectors: SearchVectors?
    private var checkedAt = DispatchTime.now().uptimeNanoseconds
    private var reloading = false

    /// Loads the model's vectors from `library` (none without a model). With `refreshInterval`,
    /// a search more than that many seconds after the last check brings the vectors up to date
    /// with photos embedded, re-embedded or removed since (`refresh()`; what `photos serve` uses
    /// while an indexer runs).
    public init(library: any PhotoStore, model: CLIPModel?, refreshInterval: Double? = nil) throws {
        self.library = library
        self.model = model
        self.refreshInterval = refreshInterval
        if let model {
            vectors = try SearchVectors(library: library, model: model.embeddingName, dimension: model.dimension)
        }
    }

    /// How many photos this search scans.
    public var vectorCount: Int { current?.photoCount ?? 0 }

    private var current: SearchVectors? {
        lock.lock()
        defer { lock.unlock() }
        return vectors
    }

    /// What `refresh()` did.
    public enum Refresh: Equatable, Sendable {
        /// The library's vectors had not changed (or another thread was refreshing them).
        case unchanged
        /// The rows written since the last load were applied to the loaded vectors in place.
        case updated(rows: Int)
        /// Photos were removed: their rows were hidden from the scan, the rows written since
        /// applied in place; `photos` are scanned.
        case updatedHiding(rows: Int, photos: Int)
        /// A row fell between loaded ones, or hidden rows passed an eighth of the table: the loaded
        /// vectors and the rows written since were merged into a new table of `photos` rows.
        case merged(rows: Int, photos: Int)
        /// Every vector was loaded again (a photo was embedded after the changes were read).
        case reloaded
    }

    /// Brings the vectors up to date when the library changed: applies the rows written since
    /// the last load (an indexer adding photos costs a search only those rows), hides removed
    /// photos' rows by the library's ids (a new table once they pass an eighth of it), and loads
    /// everything only when those cannot give what a full load would. Searches running meanwhile
    /// keep the vectors they started with; one thread refreshes at a time.
    /// - Throws: the library's errors (the old vectors stay in use).
    @discardableResult
    public func refresh() throws -> Refresh {
        guard let model else { return .unchanged }
        lock.lock()
        guard !reloading, let loaded = vectors else {
            lock.unlock()
            return .unchanged
        }
        reloading = true
        checkedAt = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
        defer {
            lock.lock()
            reloading = false
            lock.unlock()
        }
        let name = model.embeddingName
        // The delta carries the stamp of its own read: one read answers "changed?" and "what?".
        let delta = try library.embeddings(model: name, writtenAfter: loaded.stamp)
        let sameCount = (delta.stamp.count ?? loaded.photoCount) == loaded.photoCount
        if delta.ids.isEmpty && sameCount && delta.stamp.removed == loaded.stamp.removed {
            return .unchanged
        }
        let fresh: SearchVectors, outcome: Refresh
        if let updated = try SearchVectors.updated(loaded, with: delta) {
            (fresh, outcome) = (updated, .updated(rows: delta.ids.count))
        } else {
            let keeping = try library.embeddingIDs(model: name)
            if let hiding = try SearchVectors.updated(loaded, with: delta, keeping: keeping) {
                let rows = delta.ids.count
                (fresh, outcome) = (hiding, hiding.live == nil ? .updated(rows: rows)
                                        : .updatedHiding(rows: rows, photos: hiding.photoCount))
            } else if let merged = try SearchVectors.merged(loaded, with: delta, keeping: keeping) {
                (fresh, outcome) = (merged, .merged(rows: delta.ids.count, photos: merged.photoCount))
            } else {
                fresh = try SearchVectors(library: library, model: name, dimension: model.dimension)
                outcome = .reloaded
            }
        }
        lock.lock()
        vectors = fresh
        lock.unlock()
        return outcome
    }

    /// `refresh()` when `refreshInterval` has passed since the last check.
    private func refreshIfDue() throws {
        guard let refreshInterval else { return }
        lock.lock()
        let due = Double(DispatchTime.now().uptimeNanoseconds &- checkedAt) / 1e9 >= refreshInterval
        lock.unlock()
        if due { try refresh() }
    }

    /// Runs `query`.
    /// - Returns: the hits, notes for the user (e.g. a truncated query) and timings.
    /// - Throws: `EdgeflowError.invalidArgument` for a query that needs a model when there is none,
    ///   or a bad date; errors of the text tower or of reading the example photo.
    public func search(_ query: SearchQuery) throws -> SearchResult {
        try refreshIfDue()
        let vectors = current
        var notes: [String] = []
        let start = DispatchTime.now().uptimeNanoseconds
        let needsDates = query.after != nil || query.before != nil || query.order == .date
            || (query.text == nil && query.likePhoto == nil && query.likePhotoID == nil)
        let withText = try query.textInPhoto.map { try library.photosWithText($0) }
        let texts = withText.map { Dictionary($0.map { ($0.id, $0.text) }, uniquingKeysWith: { a, _ in a }) }
        let dates = needsDates ? try library.captureDates() : [:]
        let after = try query.after.map { try Self.dateBound($0, "--after") }
        let before = try query.before.map { try Self.dateBound($0, "--before") }
        func inRange(_ date: String) -> Bool {
            (after.map { date >= $0 } ?? true) && (before.map { date < $0 } ?? true)
        }
        let vector = try queryVector(query, vectors: vectors, notes: &notes)
        let embedded = DispatchTime.now().uptimeNanoseconds
        guard let vector else {
            guard query.negatives.isEmpty else {
                throw EdgeflowError(.invalidArgument, "--not needs a query text or --like to push away from")
            }
            var chosen = dates.filter { inRange($0.value) && (texts?[$0.key] != nil || texts == nil) }
                .sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.map(\.key)
            if let withText, query.order == .score {  // best text match first
                let kept = Set(chosen)
                chosen = withText.map(\.id).filter(kept.contains)
            }
            let page = Array(chosen.prefix(query.limit))
            let records = try library.photos(ids: page)
            var hits: [SearchHit] = []
            for id in page {
                guard let photo = records[id], let date = dates[id] else { continue }
                hits.append(SearchHit(photo: photo, score: nil, text: texts?[id], date: date))
            }
            return SearchResult(hits: hits, notes: notes)
        }
        guard let vectors else { return SearchResult(hits: [], notes: notes) }
        let ids = vectors.ids
        var mask: RowMask?
        if after != nil || before != nil || texts != nil {
            mask = RowMask(count: ids.count, rows: ids.indices.filter {
                let dated = dates[ids[$0]].map(inRange) ?? (after == nil && before == nil)
                return dated && (texts == nil || texts?[ids[$0]] != nil)
            })
        }
        let rows: [ScoredRow]
        let allowed = vectors.allowed(mask)
        if query.compressed {
            rows = try VectorScan.topK(query: vector, in: try vectors.quantized(), k: query.limit, allowed: allowed)
        } else {
            rows = try VectorScan.topK(query: vector, in: vectors.table, k: query.limit, allowed: allowed)
        }
        let floor = query.minScore ?? -.infinity
        let kept = rows.filter { $0.score >= floor }
        let records = try library.photos(ids: kept.map { ids[$0.row] })
        var hits: [SearchHit] = []
        for row in kept {
            guard let photo = records[ids[row.row]] else { continue }
            let date = dates[photo.id] ?? photo.takenAt ?? PhotoLibrary.isoDate(nanoseconds: photo.mtimeNanoseconds)
            hits.append(SearchHit(photo: photo, score: row.score, text: texts?[photo.id], date: date))
        }
        if query.order == .date { hits.sort(by: Self.newerFirst) }
        let end = DispatchTime.now().uptimeNanoseconds
        return SearchResult(hits: hits, notes: notes, embedSeconds: Double(embedded - start) / 1e9,
                            scanSeconds: Double(end - embedded) / 1e9)
    }

    /// The normalized query vector, or nil when the query has neither text nor example.
    private func queryVector(_ query: SearchQuery, vectors: SearchVectors?, notes: inout [String]) throws -> [Float]? {
        guard query.text != nil || query.likePhoto != nil || query.likePhotoID != nil else { return nil }
        guard let model else {
            throw EdgeflowError(.invalidArgument, "searching by text or example needs a CLIP model",
                                hint: "give --model DIR (the folder the library was indexed with)")
        }
        var sum = [Double](repeating: 0, count: model.dimension)
        func add(_ vector: [Float], _ sign: Double) {
            for i in sum.indices { sum[i] += sign * Double(vector[i]) }
        }
        if let text = query.text {
            let (vector, truncated) = try model.embed(text: text)
            if truncated { notes.append("the query was cut to the model's 77 tokens, as CLIP does") }
            add(vector, 1)
        }
        if let path = query.likePhoto { add(try exampleVector(path, model: model, vectors: vectors), 1) }
        if let id = query.likePhotoID {
            guard let stored = vectors?.vector(of: id) else {
                throw EdgeflowError(.invalidArgument, "photo \(id) has no embedding by \(model.embeddingName)",
                                    hint: "index the library with this model first")
            }
            add(stored, 1)
        }
        for negative in query.negatives {
            let (vector, truncated) = try model.embed(text: negative)
            if truncated { notes.append("a --not text was cut to 77 tokens") }
            add(vector, -1)
        }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-12 else {
            throw EdgeflowError(.invalidArgument, "the negative texts cancel the query exactly")
        }
        return sum.map { Float($0 / norm) }
    }

    /// The example photo's stored vector when the library has it, else its embedding now.
    private func exampleVector(_ path: String, model: CLIPModel, vectors: SearchVectors?) throws -> [Float] {
        let absolute = PhotoScanner.absolute(path)
        if let photo = try library.photo(path: absolute), let stored = vectors?.vector(of: photo.id) {
            return stored
        }
        let decoded = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: absolute),
                                              options: DecodeOptions(minimumWidth: model.folder.imageSize,
                                                                     minimumHeight: model.folder.imageSize))
        return try model.embed(imageTensor: model.imageTensor(decoded.image))
    }

    /// Newer capture dates first; equal dates by photo id.
    static func newerFirst(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.date == b.date ? a.photo.id < b.photo.id : a.date > b.date
    }

    /// A date option as a sortable ISO prefix ("2023", "2023-05", "2023-05-01", or with a time).
    static func dateBound(_ text: String, _ option: String) throws -> String {
        let pattern = #"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$"#
        guard text.range(of: pattern, options: .regularExpression) != nil else {
            throw EdgeflowError(.invalidArgument, "\(option) \(text) is not a date",
                                hint: "write it as YYYY-MM-DD (or YYYY, YYYY-MM, YYYY-MM-DDTHH:MM)")
        }
        return text
    }
}
