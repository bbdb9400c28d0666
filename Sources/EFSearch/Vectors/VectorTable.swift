// The photo embeddings held in memory for the brute-force scan: one contiguous, 64-byte aligned,
// row-major fp32 matrix of `count × dimension` that grows by appending rows. A value type: a
// table handed to a scan cannot change under it. Copies share their storage; appending writes
// past the last row any copy holds (so no copy sees it) and copies only when the storage is
// full or another copy already wrote there; replacing a row copies unless the storage is ours
// alone.

import EFCore
import Foundation

/// A row-major `count × dimension` matrix of `Float` (fp32), rows addressed by `0..<count`.
///
/// Rows are stored back to back (`row i` starts at element `i * dimension`) in one buffer
/// aligned to 64 bytes (2 MiB once it spans that), so a dimension that is a multiple of 16
/// gives every row a 64-byte aligned start. Every value is finite. Appending is amortized O(1)
/// elements copied per element appended; `reserveCapacity` avoids the copies entirely, also for
/// a copy of a table that grows while the original is still read (a search's new snapshot).
public struct VectorTable: Sendable {
    /// The dimensions a table accepts (CLIP models use 512 to 1024).
    public static let dimensionRange = 1...65536

    /// Elements per row.
    public let dimension: Int
    private var storage: VectorStorage<Float>

    /// Rows held.
    public private(set) var count = 0

    /// Rows the table holds without reallocating.
    public var capacity: Int { storage.capacity }

    /// An empty table of `dimension`-element rows.
    /// - Throws: `EdgeflowError.invalidInput` when `dimension` is outside `dimensionRange`.
    public init(dimension: Int) throws {
        try CheckedSize.inRange(dimension, Self.dimensionRange, "vector dimension")
        self.dimension = dimension
        storage = VectorStorage(dimension: dimension)
    }

    /// A table holding `rows` (each `dimension` elements) in order.
    /// - Throws: as `init(dimension:)` and `append(_:)`.
    public init(dimension: Int, rows: [[Float]]) throws {
        try self.init(dimension: dimension)
        try reserveCapacity(rows.count)
        for row in rows { try append(row) }
    }

    /// Makes room for `rows` rows in total.
    /// - Throws: `EdgeflowError.invalidInput` when `rows × dimension × 4` bytes overflows `Int`.
    public mutating func reserveCapacity(_ rows: Int) throws {
        guard rows > storage.capacity else { return }
        try copyStorage(capacity: rows)
    }

    /// Appends one row of `dimension` finite fp32 values.
    /// - Throws: `EdgeflowError.invalidInput` when `vector.count != dimension` or an element is
    ///   NaN or infinite (the table is then unchanged).
    public mutating func append(_ vector: [Float]) throws {
        guard vector.count == dimension else {
            throw EdgeflowError(.invalidInput,
                                "a vector of \(vector.count) elements does not fit a table of dimension \(dimension)")
        }
        try vector.withUnsafeBufferPointer { try append(contentsOf: $0) }
    }

    /// Appends `values.count / dimension` rows stored back to back (row-major), e.g. the data
    /// of an `[n, dimension]` float32 `.npy` file.
    /// - Throws: `EdgeflowError.invalidInput` when `values.count` is not a multiple of `dimension`,
    ///   an element is NaN or infinite, or the new size overflows (the table is then unchanged).
    public mutating func append(contentsOf values: UnsafeBufferPointer<Float>) throws {
        guard values.count % dimension == 0 else {
            throw EdgeflowError(.invalidInput,
                                "a vector of \(values.count) elements does not fit a table of dimension \(dimension)")
        }
        try checkFinite(values, firstRow: count)
        guard let source = values.baseAddress, !values.isEmpty else { return }
        let added = values.count / dimension
        let newCount = try CheckedSize.add(count, added, "vector table rows")
        if !storage.claim(from: count, to: newCount) {
            let grown = newCount > storage.capacity ? max(newCount, storage.capacity &* 2, 16) : storage.capacity
            try copyStorage(capacity: min(grown, max(newCount, Int.max / dimension / 4)))
            _ = storage.claim(from: count, to: newCount)
        }
        storage.elements.advanced(by: count * dimension).update(from: source, count: values.count)
        count = newCount
    }

    /// Overwrites row `index` with `values` (`dimension` finite fp32 values); a table sharing the
    /// storage (a copy handed to a scan) keeps the old row.
    /// - Throws: `EdgeflowError.invalidInput` for a row outside `0..<count`, a wrong element count
    ///   or a NaN or infinite element (the table is then unchanged).
    public mutating func replaceRow(_ index: Int, with values: UnsafeBufferPointer<Float>) throws {
        guard index >= 0 && index < count, values.count == dimension else {
            throw EdgeflowError(.invalidInput, "cannot put \(values.count) elements in row \(index) of a "
                                    + "\(count)-row table of dimension \(dimension)")
        }
        try checkFinite(values, firstRow: index)
        if !isKnownUniquelyReferenced(&storage) { try copyStorage(capacity: storage.capacity) }
        storage.elements.advanced(by: index * dimension).update(from: values.baseAddress!, count: dimension)
    }

    /// The elements of row `index` (a copy).
    /// - Precondition: `0 <= index < count`.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < count, "row \(index) outside 0..<\(count)")
        return Array(UnsafeBufferPointer(start: storage.elements + index * dimension, count: dimension))
    }

    /// Calls `body` with all `count × dimension` elements, row-major, valid only during the call.
    public func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.elements, count: count * dimension))
        }
    }

    /// Throws `EdgeflowError.invalidInput` naming the first NaN or infinite element of `values`,
    /// rows of `dimension` that would become rows `firstRow`, `firstRow + 1`, ….
    private func checkFinite(_ values: UnsafeBufferPointer<Float>, firstRow: Int) throws {
        guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw EdgeflowError(.invalidInput,
                            "vector element \(bad % dimension) of row \(firstRow + bad / dimension) is \(values[bad])",
                            hint: "embeddings must be finite; was the model output checked?")
    }

    /// Moves this table's rows into storage of its own.
    private mutating func copyStorage(capacity: Int) throws {
        storage = try VectorStorage<Float>(dimension: dimension, capacity: capacity, copying: storage, rows: count)
    }
}

/// The buffer behind `VectorTable` and `QuantizedVectorTable`: `capacity` rows of `dimension`
/// elements, the first `count` initialized (for a `VectorTable`: by the table sharing it that
/// holds the most rows).
final class VectorStorage<Element>: @unchecked Sendable {
    let dimension: Int
    let capacity: Int
    var count = 0
    let elements: UnsafeMutablePointer<Element>
    private let claims = NSLock()

    init(dimension: Int) {
        self.dimension = dimension
        capacity = 0
        elements = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64).bindMemory(to: Element.self,
                                                                                               capacity: 1)
    }

    /// Room for `capacity` rows holding a copy of `other`'s first `rows` rows (all it holds when nil).
    /// - Throws: `EdgeflowError.invalidInput` when the byte size overflows `Int`.
    init(dimension: Int, capacity: Int, copying other: VectorStorage?, rows: Int? = nil) throws {
        let elementCount = try CheckedSize.multiply(capacity, dimension, "vector table of \(capacity) rows")
        let bytes = try CheckedSize.multiply(elementCount, MemoryLayout<Element>.stride,
                                             "vector table of \(capacity) rows")
        self.dimension = dimension
        self.capacity = capacity
        let raw = LargeAllocation.allocate(byteCount: bytes, alignment: 64)
        elements = raw.bindMemory(to: Element.self, capacity: max(elementCount, 1))
        if let other {
            let copied = min(rows ?? other.count, other.count, capacity)
            elements.initialize(from: other.elements, count: copied * dimension)
            count = copied
        }
    }

    /// Rows `from..<to` become the caller's to write when `from` is the end of the initialized
    /// rows (no table sharing this storage holds rows past it) and `to` fits; false otherwise.
    func claim(from: Int, to: Int) -> Bool {
        claims.lock()
        defer { claims.unlock() }
        guard count == from, to <= capacity else { return false }
        count = to
        return true
    }

    deinit { UnsafeMutableRawPointer(elements).deallocate() }
}
