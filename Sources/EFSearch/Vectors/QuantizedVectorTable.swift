// The compressed copy of a vector table for a faster first pass: each row as int8 with one fp32
// scale (symmetric, scale = max |x| / 127), 4× fewer bytes to read per query. The int8 scan
// keeps a few times k candidates by the approximate score, then rescores them exactly from the
// fp32 rows, so the result is the exact top-k whenever the candidates contain it.

import EFCore
import EFKernels

/// Int8 rows with one fp32 scale each, beside the fp32 table they were made from.
///
/// Row `i` is approximately `scale[i] * int8Row[i]`: every element is
/// `round(x / scale)` in -127...127 with `scale = max |x| / 127` (0 for an all-zero row).
public struct QuantizedVectorTable: Sendable {
    /// The exact fp32 rows, used to rescore candidates.
    public private(set) var exact: VectorTable
    private var codes: VectorStorage<Int8>
    private var scales: [Float]

    /// Elements per row.
    public var dimension: Int { exact.dimension }
    /// Rows held.
    public var count: Int { exact.count }

    /// Quantizes every row of `table`, in parallel over the OpenMP pool's threads.
    /// - Throws: `EdgeflowError.invalidInput` when the int8 copy's size overflows `Int`.
    public init(_ table: VectorTable) throws {
        exact = table
        // As much room as the fp32 table has, so `updated(to:)` appends in place.
        codes = try VectorStorage<Int8>(dimension: table.dimension, capacity: max(table.count, table.capacity),
                                        copying: nil)
        let dimension = table.dimension, count = table.count, destination = codes.elements
        var scales = [Float](repeating: 0, count: count)
        scales.withUnsafeMutableBufferPointer { scaleOut in
            table.withUnsafeElements { elements in
                Parallel.forEachChunk(count, grain: 4096) { rows in
                    for row in rows {
                        let start = row * dimension
                        let source = UnsafeBufferPointer(rebasing: elements[start..<(start + dimension)])
                        scaleOut[row] = Self.quantize(source, into: destination + start)
                    }
                }
            }
        }
        self.scales = scales
        codes.count = count
    }

    /// This table over `table`, which holds this table's rows except those at `rewritten`
    /// (replaced since), perhaps followed by new rows: the new and the rewritten rows are
    /// quantized, the others' codes kept. With nothing rewritten the codes are shared (the new
    /// rows are written past the end of what this table holds, as `VectorTable` appends); else
    /// they are copied first, since this table may still be scanned.
    /// - Precondition: `table` has this table's dimension, at least its rows, and every index in
    ///   `rewritten` is below this table's count.
    /// - Throws: `EdgeflowError.invalidInput` when the int8 copy's size overflows `Int`.
    public func updated(to table: VectorTable, rewritten: [Int] = []) throws -> QuantizedVectorTable {
        precondition(table.dimension == dimension && table.count >= count, "not an update of this table")
        precondition(rewritten.allSatisfy { $0 >= 0 && $0 < count }, "a rewritten row outside the table")
        var result = self
        result.exact = table
        let newCount = table.count
        guard newCount > count || !rewritten.isEmpty else { return result }
        if !rewritten.isEmpty || !result.codes.claim(from: count, to: newCount) {
            let room = rewritten.isEmpty ? max(newCount, codes.capacity * 2, 16) : max(newCount, table.capacity)
            let grown = min(room, max(newCount, Int.max / dimension / 4))
            result.codes = try VectorStorage<Int8>(dimension: dimension, capacity: grown, copying: codes, rows: count)
            _ = result.codes.claim(from: count, to: newCount)
        }
        let destination = result.codes.elements, dimension = dimension
        table.withUnsafeElements { elements in
            func quantize(_ row: Int) -> Float {
                let start = row * dimension
                return Self.quantize(UnsafeBufferPointer(rebasing: elements[start..<(start + dimension)]),
                                     into: destination + start)
            }
            for row in rewritten { result.scales[row] = quantize(row) }
            for row in count..<newCount { result.scales.append(quantize(row)) }
        }
        return result
    }

    /// Appends one row to both the fp32 and the int8 tables.
    /// - Throws: as `VectorTable.append(_:)`.
    public mutating func append(_ vector: [Float]) throws {
        if !isKnownUniquelyReferenced(&codes) || codes.count == codes.capacity {
            let grown = codes.count == codes.capacity ? max(16, codes.capacity * 2) : codes.capacity
            codes = try VectorStorage<Int8>(dimension: dimension, capacity: grown, copying: codes)
        }
        try exact.append(vector)
        scales.append(vector.withUnsafeBufferPointer {
            Self.quantize($0, into: codes.elements + codes.count * dimension)
        })
        codes.count += 1
    }

    /// The int8 codes and scale of row `index`.
    /// - Precondition: `0 <= index < count`.
    public func quantizedRow(_ index: Int) -> (codes: [Int8], scale: Float) {
        precondition(index >= 0 && index < count, "row \(index) outside 0..<\(count)")
        return (Array(UnsafeBufferPointer(start: codes.elements + index * dimension, count: dimension)), scales[index])
    }

    /// Writes `round(x / scale)` of `source` to `destination` and returns the scale. Written so
    /// the compiler vectorizes both loops (10× the scalar `rounded()` in the baseline build): the
    /// largest |x| as the largest bit pattern with the sign cleared (the order of finite floats),
    /// and rounding ties-to-even by adding 1.5 × 2²³, whose low mantissa bits are then the code.
    @discardableResult
    static func quantize(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutablePointer<Int8>) -> Float {
        guard let base = source.baseAddress else { return 0 }
        var largestBits: UInt32 = 0
        for i in 0..<source.count { largestBits = max(largestBits, base[i].bitPattern & 0x7FFF_FFFF) }
        let largest = Float(bitPattern: largestBits)
        guard largest > 0, largest.isFinite else {
            destination.initialize(repeating: 0, count: source.count)
            return 0
        }
        let inverse = 127 / largest
        let rounder: Float = 12_582_912  // 1.5 × 2²³: x + rounder holds round(x) in its low mantissa bits
        for i in 0..<source.count {
            let shifted = min(127, max(-127, base[i] * inverse)) + rounder
            destination[i] = Int8(truncatingIfNeeded: Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000)
        }
        return largest / 127
    }

    func withCodes<R>(_ body: (UnsafePointer<Int8>, UnsafeBufferPointer<Float>) -> R) -> R {
        withExtendedLifetime(codes) { scales.withUnsafeBufferPointer { body(codes.elements, $0) } }
    }
}

extension VectorScan {
    /// The `k` best rows of `table` by inner product with `query`, found in two passes: the
    /// `max(k × rescoreFactor, k + 32)` best rows by the int8 approximation, then their exact fp32
    /// scores. Each returned score is exact (equal to `topK(query:in:k:allowed:)`'s for that row);
    /// a true top-k row is missed only when the int8 pass ranks it below all candidates.
    ///
    /// - Parameters:
    ///   - query: `table.dimension` finite fp32 values (normally L2-normalized).
    ///   - k: rows to return, `k >= 0`.
    ///   - rescoreFactor: candidates per row returned, `>= 1`.
    ///   - allowed: as in `topK(query:in:k:allowed:)`.
    /// - Returns: at most `k` rows sorted by score descending, ties by row ascending.
    /// - Throws: `EdgeflowError.invalidInput` for a query of the wrong size or with non-finite
    ///   values, `k < 0` or `rescoreFactor < 1`.
    public static func topK(query: [Float], in table: QuantizedVectorTable, k: Int, rescoreFactor: Int = 4,
                            allowed: RowMask? = nil) throws -> [ScoredRow] {
        try checkQuery(query, dimension: table.dimension, k: k)
        guard rescoreFactor >= 1 else {
            throw EdgeflowError(.invalidInput, "the rescore factor must be 1 or more, got \(rescoreFactor)")
        }
        guard k > 0, table.count > 0 else { return [] }
        let product = k.multipliedReportingOverflow(by: rescoreFactor)
        let wanted = max(product.overflow ? Int.max : product.partialValue, k > Int.max - 32 ? Int.max : k + 32)
        let candidateCount = min(wanted, table.count)
        let dimension = table.dimension
        var queryCodes = [Int8](repeating: 0, count: dimension)
        var pairs = [Int32](repeating: 0, count: Int8Dot.pairCount(dimension: dimension))
        let queryScale = query.withUnsafeBufferPointer { q in
            queryCodes.withUnsafeMutableBufferPointer { QuantizedVectorTable.quantize(q, into: $0.baseAddress!) }
        }
        queryCodes.withUnsafeBufferPointer { codes in
            pairs.withUnsafeMutableBufferPointer {
                Int8Dot.layOutPairs(query: codes.baseAddress!, dimension: dimension, into: $0.baseAddress!)
            }
        }
        let candidates: [ScoredRow] = queryCodes.withUnsafeBufferPointer { codes in
            pairs.withUnsafeBufferPointer { laidOut in
                table.withCodes { rows, scales in
                    let dot = Int8Dot(query: codes.baseAddress!, pairs: laidOut.baseAddress!, dimension: dimension)
                    let scorer = Int8RowScorer(dot: dot, base: rows, scales: scales.baseAddress!,
                                               queryScale: queryScale)
                    return TopKSelection.select(scorer, count: table.count, dimension: dimension,
                                                k: candidateCount, mask: allowed)
                }
            }
        }
        return query.withUnsafeBufferPointer { q in
            rescore(query: q.baseAddress!, table: table.exact, rows: candidates.map(\.row), k: k)
        }
    }
}

/// Int8 rows at `base` scored as `queryScale × scale[row] × (query codes · row codes)`.
struct Int8RowScorer: RowScorer {
    let dot: Int8Dot
    let base: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let queryScale: Float

    @inline(__always)
    func score(_ row: Int) -> Float {
        Float(dot.score(base + row * dot.dimension)) * (scales[row] * queryScale)
    }

    @inline(__always)
    func score4(_ r0: Int, _ r1: Int, _ r2: Int, _ r3: Int) -> SIMD4<Float> {
        let d = dot.dimension
        let sums = dot.score4(base + r0 * d, base + r1 * d, base + r2 * d, base + r3 * d)
        return SIMD4<Float>(sums) * (SIMD4(scales[r0], scales[r1], scales[r2], scales[r3]) * queryScale)
    }

    func scoreBlock(_ start: Int, count: Int, into scores: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { sums in
            WideRowDots.int8(query: dot.query, pairs: dot.pairs, rows: base + start * dot.dimension, count: count,
                             dimension: dot.dimension, into: sums.baseAddress!)
            for i in 0..<count { scores[i] = Float(sums[i]) * (scales[start + i] * queryScale) }
        }
    }
}
