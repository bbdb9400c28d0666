// The vectors a `PhotoSearch` scans: one model's embeddings loaded from the library as a snapshot,
// with the library's stamp taken before loading them, and their int8 copy made when a compressed
// scan first asks for it. A running search swaps in a new snapshot when the library changes: the
// old one updated in place with the rows written since, or merged with them into a new table when
// photos were removed or a row falls between loaded ones, each only where that gives what a full
// load would; a query holds the snapshot it started with.

import EFCore
import Foundation

/// One load of a model's embeddings: row i of `table` is photo `ids[i]`.
final class SearchVectors: @unchecked Sendable {
    let ids: [Int64]
    let table: VectorTable
    /// The library's stamp read before the vectors: a later different stamp means a reload.
    let stamp: EmbeddingsStamp
    private let lock = NSLock()
    private var compressed: QuantizedVectorTable?

    /// Reads the stamp, then every embedding of `model` (`dimension` values each).
    /// - Throws: the library's errors; `EdgeflowError.invalidArchive` for a stored vector of the
    ///   wrong size.
    init(library: any PhotoStore, model: String, dimension: Int) throws {
        stamp = try library.embeddingsStamp(model: model)
        let stored = try library.embeddings(model: model)
        var table = try VectorTable(dimension: dimension)
        // Room for an eighth more (at least 1,024) photos indexed while this snapshot is searched:
        // the next snapshot appends them in place instead of copying every row (pages never
        // written are never faulted in).
        let rows = stored.ids.count
        try table.reserveCapacity(try CheckedSize.add(rows, max(1024, rows / 8), "vector table rows"))
        try stored.vectors.withUnsafeBufferPointer { try table.append(contentsOf: $0) }
        ids = stored.ids
        self.table = table
    }

    /// `previous` with `delta` applied: replaced rows overwritten in place, new photos appended.
    /// Nil when that would not equal a full load of the library now: a photo removed since (the
    /// counts disagree), or a new photo whose id is not above every loaded one (a full load orders
    /// rows by photo id).
    /// - Throws: `EdgeflowError.invalidArchive` when the delta's vectors are not whole rows;
    ///   `.invalidInput` for a NaN or infinite element.
    init?(updating previous: SearchVectors, with delta: EmbeddingsDelta) throws {
        guard delta.stamp.removed == previous.stamp.removed else { return nil }
        let dimension = previous.table.dimension
        try Self.checkRows(delta, dimension)
        var table = previous.table
        var ids = previous.ids
        let applied = try delta.vectors.withUnsafeBufferPointer { values -> Bool in
            for (k, id) in delta.ids.enumerated() {  // ascending
                let row = UnsafeBufferPointer(rebasing: values[(k * dimension)..<((k + 1) * dimension)])
                if let index = Self.index(of: id, in: previous.ids) {
                    try table.replaceRow(index, with: row)
                } else if id > ids.last ?? .min {
                    try table.append(contentsOf: row)
                    ids.append(id)
                } else {
                    return false
                }
            }
            return true
        }
        guard applied, ids.count == delta.stamp.count, ids.count == table.count else { return nil }
        self.ids = ids
        self.table = table
        stamp = delta.stamp
    }

    /// A new table of the photos `keeping` lists (ascending: the library's ids read after the
    /// delta), each row from `delta` when it has one, else from `previous`. Nil when a kept photo
    /// is in neither (embedded after the delta was read, or written under a rowid the delta could
    /// not see): only a full load gives its vector. Rows replaced after the delta was read keep
    /// their older vector until the next delta, which lists them.
    /// - Throws: as `init(updating:with:)`.
    init?(merging previous: SearchVectors, with delta: EmbeddingsDelta, keeping: [Int64]) throws {
        let dimension = previous.table.dimension
        try Self.checkRows(delta, dimension)
        var table = try VectorTable(dimension: dimension)
        try table.reserveCapacity(try CheckedSize.add(keeping.count, max(1024, keeping.count / 8), "vector table rows"))
        var fromDelta = 0, fromPrevious = 0
        func row(_ values: UnsafeBufferPointer<Float>, _ index: Int) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(rebasing: values[(index * dimension)..<((index + 1) * dimension)])
        }
        let complete = try delta.vectors.withUnsafeBufferPointer { written in
            try previous.table.withUnsafeElements { loaded -> Bool in
                for id in keeping {  // three ascending lists walked together
                    while fromDelta < delta.ids.count && delta.ids[fromDelta] < id { fromDelta += 1 }
                    while fromPrevious < previous.ids.count && previous.ids[fromPrevious] < id { fromPrevious += 1 }
                    if fromDelta < delta.ids.count && delta.ids[fromDelta] == id {
                        try table.append(contentsOf: row(written, fromDelta))
                    } else if fromPrevious < previous.ids.count && previous.ids[fromPrevious] == id {
                        try table.append(contentsOf: row(loaded, fromPrevious))
                    } else {
                        return false
                    }
                }
                return true
            }
        }
        guard complete else { return nil }
        ids = keeping
        self.table = table
        stamp = delta.stamp
    }

    /// - Throws: `EdgeflowError.invalidArchive` when the delta's vectors are not whole rows.
    private static func checkRows(_ delta: EmbeddingsDelta, _ dimension: Int) throws {
        guard delta.vectors.count == delta.ids.count * dimension else {
            throw EdgeflowError(.invalidArchive, "\(delta.ids.count) updated embeddings came with "
                                    + "\(delta.vectors.count) values, not rows of \(dimension)")
        }
    }

    /// The position of `id` in `ids` (ascending), or nil.
    private static func index(of id: Int64, in ids: [Int64]) -> Int? {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }

    /// The int8 copy of `table`, made on first use (one thread makes it; others wait for it).
    /// - Throws: as `QuantizedVectorTable.init`.
    func quantized() throws -> QuantizedVectorTable {
        lock.lock()
        defer { lock.unlock() }
        if let compressed { return compressed }
        let made = try QuantizedVectorTable(table)
        compressed = made
        return made
    }

    /// The stored vector of photo `id`, or nil when the model has not embedded it.
    func vector(of id: Int64) -> [Float]? {
        ids.firstIndex(of: id).map { table.row($0) }
    }
}
