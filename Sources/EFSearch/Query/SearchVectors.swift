// The vectors a `PhotoSearch` scans: one model's embeddings loaded from the library as a snapshot,
// with the library's stamp taken before loading them, the rows of photos removed since hidden by
// a mask, and their int8 copy made when a compressed scan first asks for it (from the last
// snapshot's, when this one only appended rows). A query holds the
// snapshot it started with; SearchVectorUpdates.swift makes the next snapshot from this one.

import EFCore
import Foundation

/// One load of a model's embeddings: row i of `table` is photo `ids[i]` (ascending), scanned only
/// where `live` holds it.
final class SearchVectors: @unchecked Sendable {
    let ids: [Int64]
    let table: VectorTable
    /// The rows of photos still in the library; nil: every row.
    let live: RowMask?
    /// The library's stamp read before the vectors (or with the last changes applied).
    let stamp: EmbeddingsStamp
    private let lock = NSLock()
    private var compressed: QuantizedVectorTable?
    /// The last snapshot's int8 copy, when this one appended rows to its table or replaced some.
    private let compressedBase: QuantizedVectorTable?
    /// The rows of `table` replaced since `compressedBase` was made.
    private let rewrittenRows: [Int]

    /// Reads the stamp, then every embedding of `model` (`dimension` values each).
    /// - Throws: the library's errors; `EdgeflowError.invalidArchive` for a stored vector of the
    ///   wrong size.
    convenience init(library: any PhotoStore, model: String, dimension: Int) throws {
        let stamp = try library.embeddingsStamp(model: model)
        let stored = try library.embeddings(model: model)
        var table = try VectorTable(dimension: dimension)
        // Room for an eighth more (at least 1,024) photos indexed while this snapshot is searched:
        // the next snapshot appends them in place instead of copying every row (pages never
        // written are never faulted in).
        let rows = stored.ids.count
        try table.reserveCapacity(try CheckedSize.add(rows, max(1024, rows / 8), "vector table rows"))
        try stored.vectors.withUnsafeBufferPointer { try table.append(contentsOf: $0) }
        self.init(ids: stored.ids, table: table, live: nil, stamp: stamp)
    }

    /// A snapshot of `table`, whose row i is photo `ids[i]`; `compressedBase`, an int8 copy of
    /// the table's first rows except `rewrittenRows`, is updated instead of quantizing every row again.
    init(ids: [Int64], table: VectorTable, live: RowMask?, stamp: EmbeddingsStamp,
         compressedBase: QuantizedVectorTable? = nil, rewrittenRows: [Int] = []) {
        self.ids = ids
        self.table = table
        self.live = live
        self.stamp = stamp
        self.compressedBase = compressedBase
        self.rewrittenRows = rewrittenRows
    }

    /// The int8 copy, if a scan has made it.
    var madeQuantized: QuantizedVectorTable? { lock.withLock { compressed } }

    /// Photos this snapshot scans.
    var photoCount: Int { live?.rowCount ?? ids.count }

    /// The rows to scan for a query that allows `filter` (nil: every photo).
    func allowed(_ filter: RowMask?) -> RowMask? {
        guard let live else { return filter }
        return filter.map { $0.intersection(live) } ?? live
    }

    /// The row of photo `id` (hidden or not), or nil.
    func row(of id: Int64) -> Int? {
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
        let made = try compressedBase?.updated(to: table, rewritten: rewrittenRows) ?? QuantizedVectorTable(table)
        compressed = made
        return made
    }

    /// The stored vector of photo `id`, or nil when the model has not embedded it (or it was removed).
    func vector(of id: Int64) -> [Float]? {
        guard let row = row(of: id), live?.contains(row) ?? true else { return nil }
        return table.row(row)
    }
}
