// The next snapshot of a `PhotoSearch`'s vectors, from the last one and the rows the library
// wrote since, each only where it gives what a full load of the library would (the same rows in
// photo-id order, so the same scores and ties):
//
// - in place: replaced rows overwritten (the table is copied only when a row really changes: a
//   snapshot still being scanned shares it), new photos appended past the last row, in room the
//   table keeps (the int8 copy, if made, then updated: the new and replaced rows quantized, the
//   others' codes kept), and, given the library's ids, removed photos hidden from the scan by a mask;
// - merged: every kept row copied into a new table, when a new photo's id falls between loaded
//   ones (PostgreSQL workers storing out of order) or hidden rows pass an eighth of the table.

import EFCore
import Foundation

extension SearchVectors {
    /// `previous` with `delta` applied in place, and when `keeping` (the library's ids, ascending,
    /// read after the delta) is given, the rows of every other photo hidden. Nil when that would
    /// not equal a full load: without `keeping` a photo removed since (the removal counts, or
    /// SQLite's row counts, disagree); a new photo whose id is not above every loaded one; a kept photo
    /// the rows do not hold; more hidden rows than an eighth of the table (at least 1,024).
    /// - Throws: `EdgeflowError.invalidArchive` when the delta's vectors are not whole rows;
    ///   `.invalidInput` for a NaN or infinite element.
    static func updated(_ previous: SearchVectors, with delta: EmbeddingsDelta,
                        keeping: [Int64]? = nil) throws -> SearchVectors? {
        guard keeping != nil || delta.stamp.removed == previous.stamp.removed else { return nil }
        let dimension = previous.table.dimension
        try checkRows(delta, dimension)
        var table = previous.table
        var ids = previous.ids
        var revived: [Int] = []  // hidden rows written again (SQLite reuses a removed photo's id)
        var rewritten: [Int] = []
        let applied = try delta.vectors.withUnsafeBufferPointer { values -> Bool in
            for (k, id) in delta.ids.enumerated() {  // ascending
                let row = UnsafeBufferPointer(rebasing: values[(k * dimension)..<((k + 1) * dimension)])
                if let index = previous.row(of: id) {
                    if !(previous.live?.contains(index) ?? true) { revived.append(index) }
                    if !sameBits(table, index, row) {
                        try table.replaceRow(index, with: row)
                        rewritten.append(index)
                    }
                } else if id > ids.last ?? .min {
                    try table.append(contentsOf: row)
                    ids.append(id)
                } else {
                    return false
                }
            }
            return true
        }
        guard applied else { return nil }
        var live = previous.live?.extended(to: ids.count, holdingNew: true)
        for row in revived { live?.insert(row) }
        if let keeping {
            var mask = RowMask(count: ids.count)
            var row = 0
            for id in keeping {
                while row < ids.count && ids[row] < id { row += 1 }
                // A hidden row kept again but not rewritten holds a removed photo's vector: `live`
                // already holds the appended and rewritten rows, so it tells.
                guard row < ids.count && ids[row] == id, live?.contains(row) ?? true else { return nil }
                mask.insert(row)
            }
            guard ids.count - keeping.count <= max(1024, ids.count / 8) else { return nil }
            live = keeping.count == ids.count ? nil : mask
        }
        let snapshot = SearchVectors(ids: ids, table: table, live: live, stamp: delta.stamp,
                                     compressedBase: previous.madeQuantized, rewrittenRows: rewritten)
        // Nil: the store does not count its rows (PostgreSQL), and its removal count has spoken.
        guard let expected = keeping?.count ?? delta.stamp.count else { return snapshot }
        return snapshot.photoCount == expected ? snapshot : nil
    }

    /// A new table of the photos `keeping` lists (ascending: the library's ids read after the
    /// delta), each row from `delta` when it has one, else from `previous`. Nil when a kept photo
    /// is in neither (embedded after the delta was read, or written under a rowid the delta could
    /// not see): only a full load gives its vector. Rows replaced after the delta was read keep
    /// their older vector until the next delta, which lists them.
    /// - Throws: as `updated(_:with:keeping:)`.
    static func merged(_ previous: SearchVectors, with delta: EmbeddingsDelta,
                       keeping: [Int64]) throws -> SearchVectors? {
        let dimension = previous.table.dimension
        try checkRows(delta, dimension)
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
        return complete ? SearchVectors(ids: keeping, table: table, live: nil, stamp: delta.stamp) : nil
    }

    /// Whether row `index` of `table` holds exactly `values` (bit for bit).
    private static func sameBits(_ table: VectorTable, _ index: Int, _ values: UnsafeBufferPointer<Float>) -> Bool {
        table.withUnsafeElements { elements in
            let start = index * table.dimension
            let stored = elements[start..<(start + table.dimension)]
            return zip(stored, values).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    /// - Throws: `EdgeflowError.invalidArchive` when the delta's vectors are not whole rows.
    private static func checkRows(_ delta: EmbeddingsDelta, _ dimension: Int) throws {
        guard delta.vectors.count == delta.ids.count * dimension else {
            throw EdgeflowError(.invalidArchive, "\(delta.ids.count) updated embeddings came with "
                                    + "\(delta.vectors.count) values, not rows of \(dimension)")
        }
    }
}
