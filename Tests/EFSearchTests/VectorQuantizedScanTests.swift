// Tests of QuantizedVectorTable (symmetric int8 rows with one scale each) and the int8 scan
// with exact rescoring: quantization error bounds, exact scores, recall@10 against the fp32
// scan on random and on clustered vectors, masks and bad arguments.

import EFCore
import EFSearch
import EFTestSupport
import XCTest

final class VectorQuantizedScanTests: XCTestCase {
    func testQuantizationIsSymmetricAndWithinHalfAStep() throws {
        let rows = VectorFixtures.random(count: 50, dimension: 67, seed: 20) + [[Float](repeating: 0, count: 67)]
        let quantized = try QuantizedVectorTable(VectorTable(dimension: 67, rows: rows))
        XCTAssertEqual(quantized.count, 51)
        for (index, row) in rows.enumerated() {
            let (codes, scale) = quantized.quantizedRow(index)
            XCTAssertEqual(scale, row.map(abs).max()! / 127)
            XCTAssertEqual(codes.map { abs(Int($0)) }.max(), scale == 0 ? 0 : 127)
            for (code, x) in zip(codes, row) {
                XCTAssertLessThanOrEqual(abs(Float(code) * scale - x), scale * 0.5001 + 1e-9)
            }
        }
        // Largest 127, so the step is exactly 1: halves round to the even neighbour.
        let ties: [Float] = [127, 0.5, 1.5, 2.5, -0.5, -1.5, 126.5, -126.5, 3.49, -3.51]
        let tied = try QuantizedVectorTable(VectorTable(dimension: ties.count, rows: [ties]))
        XCTAssertEqual(tied.quantizedRow(0).codes, [127, 0, 2, 2, 0, -2, 126, -126, 3, -4])
        XCTAssertEqual(tied.quantizedRow(0).scale, 1)
    }

    /// Recall@10 of the int8 scan against the exact scan over `queries`, and checks that every
    /// score it returns is the exact scan's score for that row.
    func recallAt10(rows: [[Float]], queries: [[Float]], dimension: Int) throws -> Double {
        let table = try VectorTable(dimension: dimension, rows: rows)
        let quantized = try QuantizedVectorTable(table)
        var found = 0
        for query in queries {
            let exact = try VectorScan.topK(query: query, in: table, k: 10)
            let approximate = try VectorScan.topK(query: query, in: quantized, k: 10)
            XCTAssertEqual(approximate.count, 10)
            let all = try VectorScan.topK(query: query, in: table, k: rows.count)
            let exactScores = Dictionary(uniqueKeysWithValues: all.map { ($0.row, $0.score) })
            for result in approximate { XCTAssertEqual(result.score, exactScores[result.row]) }
            XCTAssertEqual(approximate, approximate.sorted {
                $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row)
            })
            found += Set(exact.map(\.row)).intersection(approximate.map(\.row)).count
        }
        return Double(found) / Double(10 * queries.count)
    }

    func testRecallOnRandomVectors() throws {
        let rows = VectorFixtures.random(count: 2000, dimension: 64, seed: 21)
        let queries = VectorFixtures.random(count: 40, dimension: 64, seed: 22)
        XCTAssertGreaterThanOrEqual(try recallAt10(rows: rows, queries: queries, dimension: 64), 0.99)
    }

    func testRecallOnClusteredVectors() throws {
        // 20 tight clusters of 100: the ten best rows of a query lie among many near-equal ones.
        let all = VectorFixtures.clustered(count: 2040, dimension: 64, clusters: 20, seed: 23)
        let rows = Array(all.prefix(2000)), queries = Array(all.suffix(40))
        XCTAssertGreaterThanOrEqual(try recallAt10(rows: rows, queries: queries, dimension: 64), 0.99)
    }

    func testAppendMatchesBuildingFromTheTable() throws {
        let rows = VectorFixtures.random(count: 300, dimension: 24, seed: 24)
        let built = try QuantizedVectorTable(VectorTable(dimension: 24, rows: rows))
        var grown = try QuantizedVectorTable(VectorTable(dimension: 24))
        for row in rows { try grown.append(row) }
        let copy = grown
        try grown.append(rows[0])
        XCTAssertEqual(copy.count, 300)
        XCTAssertEqual(grown.count, 301)
        for index in [0, 17, 299] {
            XCTAssertEqual(grown.quantizedRow(index).codes, built.quantizedRow(index).codes)
            XCTAssertEqual(grown.exact.row(index), rows[index])
        }
        XCTAssertThrowsError(try grown.append([Float](repeating: 0, count: 23)))
        XCTAssertThrowsError(try grown.append([Float](repeating: .nan, count: 24)))
        XCTAssertEqual(grown.count, 301)
        let query = VectorFixtures.random(count: 1, dimension: 24, seed: 25)[0]
        XCTAssertEqual(try VectorScan.topK(query: query, in: copy, k: 10),
                       try VectorScan.topK(query: query, in: built, k: 10))
    }

    /// An int8 copy updated to a table with replaced and appended rows equals one made from that
    /// table, and the copy it came from keeps its own codes (a running scan may still read it).
    func testUpdatingAfterReplacedAndAppendedRowsMatchesQuantizingAgain() throws {
        let rows = VectorFixtures.random(count: 200, dimension: 24, seed: 31)
        let extra = VectorFixtures.random(count: 40, dimension: 24, seed: 32)
        let before = try VectorTable(dimension: 24, rows: rows)
        let old = try QuantizedVectorTable(before)
        var after = before
        for (index, replacement) in zip([3, 150, 199], extra) {
            try replacement.withUnsafeBufferPointer { try after.replaceRow(index, with: $0) }
        }
        for row in extra.dropFirst(3) { try after.append(row) }
        let updated = try old.updated(to: after, rewritten: [3, 150, 199])
        let remade = try QuantizedVectorTable(after)
        XCTAssertEqual(updated.count, 237)
        for index in 0..<remade.count {
            XCTAssertEqual(updated.quantizedRow(index).codes, remade.quantizedRow(index).codes, "row \(index)")
            XCTAssertEqual(updated.quantizedRow(index).scale, remade.quantizedRow(index).scale, "row \(index)")
        }
        let untouched = try QuantizedVectorTable(before)
        for index in [3, 150, 199] {
            XCTAssertEqual(old.quantizedRow(index).codes, untouched.quantizedRow(index).codes)
            XCTAssertNotEqual(old.quantizedRow(index).codes, updated.quantizedRow(index).codes)
        }
        // Only appended: the codes are shared, and still give the rows of a fresh copy.
        var longer = before
        for row in extra { try longer.append(row) }
        let extended = try old.updated(to: longer), fresh = try QuantizedVectorTable(longer)
        for index in [0, 199, 200, 239] {
            XCTAssertEqual(extended.quantizedRow(index).codes, fresh.quantizedRow(index).codes)
        }
        let query = VectorFixtures.random(count: 1, dimension: 24, seed: 33)[0]
        XCTAssertEqual(try VectorScan.topK(query: query, in: updated, k: 10, rescoreFactor: 1),
                       try VectorScan.topK(query: query, in: remade, k: 10, rescoreFactor: 1))
    }

    func testEdgesMasksAndErrors() throws {
        let rows = VectorFixtures.random(count: 8200, dimension: 32, seed: 26)
        let table = try VectorTable(dimension: 32, rows: rows)
        let quantized = try QuantizedVectorTable(table)
        let query = VectorFixtures.random(count: 1, dimension: 32, seed: 27)[0]
        XCTAssertEqual(try VectorScan.topK(query: query, in: quantized, k: 0), [])
        // All rows become candidates once k + 32 reaches the row count: the result is exact.
        let small = try QuantizedVectorTable(VectorTable(dimension: 32, rows: Array(rows.prefix(40))))
        XCTAssertEqual(try VectorScan.topK(query: query, in: small, k: 100),
                       try VectorScan.topK(query: query, in: small.exact, k: 100))
        let mask = RowMask(count: 8200, rows: stride(from: 1, to: 8200, by: 2))
        let masked = try VectorScan.topK(query: query, in: quantized, k: 10, allowed: mask)
        XCTAssertTrue(masked.allSatisfy { $0.row % 2 == 1 })
        XCTAssertEqual(masked, try VectorScan.topK(query: query, in: table, k: 10, allowed: mask))
        XCTAssertEqual(try VectorScan.topK(query: query, in: quantized, k: 5, rescoreFactor: 1).count, 5)
        XCTAssertEqual(try VectorScan.topK(query: query, in: quantized, k: Int.max, rescoreFactor: Int.max).count,
                       8200)
        for (badQuery, k, factor) in [(query, -1, 4), (query, 10, 0), (Array(query.dropLast()), 10, 4),
                                      ([Float.nan] + query.dropFirst(), 10, 4)] {
            XCTAssertThrowsError(try VectorScan.topK(query: badQuery, in: quantized, k: k, rescoreFactor: factor)) {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidInput)
            }
        }
    }
}
