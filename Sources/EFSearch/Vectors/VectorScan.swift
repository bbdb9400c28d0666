// The exact brute-force search of photo search: the inner product of one query with every row
// of a `VectorTable` (cosine similarity, as queries and rows are L2-normalized), keeping the k
// best. SIMD dot products four rows at a time, split over the OpenMP pool's threads, each
// chunk with its own top-k heap, merged at the end.

import EFCore
import EFKernels

/// One result of a scan: a table row and its score (the inner product with the query).
public struct ScoredRow: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The row index in the table scanned, `0..<count`.
    public var row: Int
    /// The fp32 inner product of the query with the row.
    public var score: Float

    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }

    public var description: String { "\(row): \(score)" }
}

/// Brute-force top-k search by inner product.
public enum VectorScan {
    /// The `k` rows of `table` with the highest inner product with `query`, exactly.
    ///
    /// - Parameters:
    ///   - query: `table.dimension` finite fp32 values (normally L2-normalized).
    ///   - table: the rows to score.
    ///   - k: how many rows to return, `k >= 0`; fewer come back when fewer rows are allowed.
    ///   - allowed: when given, only rows the mask contains are scored (rows at or past
    ///     `allowed.count` never are).
    /// - Returns: at most `k` rows sorted by score descending, ties by row ascending. A row's
    ///   score is the same fp32 value whatever the thread count or mask; NaN scores (only from
    ///   overflowing, non-normalized vectors) count as -infinity.
    /// - Throws: `EdgeflowError.invalidInput` when `query.count != table.dimension`, the query
    ///   holds NaN or infinity, or `k < 0`.
    public static func topK(query: [Float], in table: VectorTable, k: Int,
                            allowed: RowMask? = nil) throws -> [ScoredRow] {
        try checkQuery(query, dimension: table.dimension, k: k)
        return query.withUnsafeBufferPointer { q in
            table.withUnsafeElements { elements in
                let scorer = FloatRowScorer(dot: FloatDot(query: q.baseAddress!, dimension: table.dimension),
                                            base: elements.baseAddress!)
                return TopKSelection.select(scorer, count: table.count, dimension: table.dimension,
                                            k: min(k, table.count), mask: allowed)
            }
        }
    }

    /// Exact fp32 scores of `rows` (each in `0..<table.count`), sorted as `topK` sorts them,
    /// the first `k`: the rescoring step of the int8 scan.
    static func rescore(query: UnsafePointer<Float>, table: VectorTable, rows: [Int], k: Int) -> [ScoredRow] {
        table.withUnsafeElements { elements in
            let dot = FloatDot(query: query, dimension: table.dimension)
            let scored = rows.map { row in
                let score = dot.score(elements.baseAddress! + row * table.dimension)
                return ScoredRow(row: row, score: score.isNaN ? -.infinity : score)
            }
            return TopKSelection.best(scored, k: k)
        }
    }

    /// - Throws: `EdgeflowError.invalidInput` for a query of the wrong size, a non-finite
    ///   element or a negative `k`.
    static func checkQuery(_ query: [Float], dimension: Int, k: Int) throws {
        guard query.count == dimension else {
            throw EdgeflowError(.invalidInput,
                                "the query has \(query.count) elements but the table's vectors have \(dimension)",
                                hint: "embed the query with the model that embedded the table")
        }
        if let bad = query.firstIndex(where: { !$0.isFinite }) {
            throw EdgeflowError(.invalidInput, "query element \(bad) is \(query[bad]); a query must be finite")
        }
        guard k >= 0 else { throw EdgeflowError(.invalidInput, "k must be 0 or more, got \(k)") }
    }
}

/// fp32 rows at `base`, `dot.dimension` elements apart.
struct FloatRowScorer: RowScorer {
    let dot: FloatDot
    let base: UnsafePointer<Float>

    @inline(__always)
    func score(_ row: Int) -> Float { dot.score(base + row * dot.dimension) }

    @inline(__always)
    func score4(_ r0: Int, _ r1: Int, _ r2: Int, _ r3: Int) -> SIMD4<Float> {
        let d = dot.dimension
        return dot.score4(base + r0 * d, base + r1 * d, base + r2 * d, base + r3 * d)
    }

    func scoreBlock(_ start: Int, count: Int, into scores: UnsafeMutablePointer<Float>) {
        WideRowDots.floats(query: dot.query, rows: base + start * dot.dimension, count: count,
                           dimension: dot.dimension, into: scores)
    }
}
