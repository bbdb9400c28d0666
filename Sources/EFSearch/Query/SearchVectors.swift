// The vectors a `PhotoSearch` scans: one model's embeddings loaded from the library as a snapshot,
// with the library's stamp taken before loading them, and their int8 copy made when a compressed
// scan first asks for it. A running search swaps in a new snapshot when the stamp moves; a
// query holds the snapshot it started with.

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
        try stored.vectors.withUnsafeBufferPointer { try table.append(contentsOf: $0) }
        ids = stored.ids
        self.table = table
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
