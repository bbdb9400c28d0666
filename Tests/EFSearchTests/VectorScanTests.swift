// Tests of the exact fp32 scan (VectorScan.topK over a VectorTable) against a plain scalar
// double-precision scan: results, order of ties, k at the edges, masks and bad queries.

import EFCore
import EFSearch
import EFTestSupport
import XCTest

/// The plain scan the fast one must agree with: double-precision scores, sorted by score
/// descending then row ascending.
func naiveTopK(query: [Float], rows: [[Float]], k: Int,
               allowed: ((Int) -> Bool)? = nil) -> [(row: Int, score: Double)] {
    var scored: [(row: Int, score: Double)] = []
    for (index, row) in rows.enumerated() where allowed?(index) ?? true {
        var sum = 0.0
        for (q, x) in zip(query, row) { sum += Double(q) * Double(x) }
        scored.append((index, sum))
    }
    scored.sort { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    return Array(scored.prefix(k))
}

final class VectorScanTests: XCTestCase {
    /// Same rows as the naive scan and scores within fp32 rounding of the double ones.
    func assertMatchesNaive(_ result: [ScoredRow], _ expected: [(row: Int, score: Double)],
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.map(\.row), expected.map(\.row), file: file, line: line)
        for (got, want) in zip(result, expected) {
            XCTAssertEqual(Double(got.score), want.score, accuracy: 1e-5, file: file, line: line)
        }
    }

    func testExactAgainstNaiveScan() throws {
        for (dimension, count) in [(64, 2000), (67, 1001), (16, 5), (1, 9), (200, 300)] {
            let rows = VectorFixtures.random(count: count, dimension: dimension, seed: UInt64(dimension))
            let table = try VectorTable(dimension: dimension, rows: rows)
            let queries = VectorFixtures.random(count: 5, dimension: dimension, seed: 99)
            for query in queries {
                for k in [1, 10, 100] {
                    assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: k),
                                       naiveTopK(query: query, rows: rows, k: k))
                }
            }
        }
    }

    func testSplitOverThreadsGivesTheSameResult() throws {
        // 8,200 × 64 is enough work to split over the OpenMP threads (one chunk per thread).
        let rows = VectorFixtures.random(count: 8200, dimension: 64, seed: 5)
        let table = try VectorTable(dimension: 64, rows: rows)
        for query in VectorFixtures.random(count: 3, dimension: 64, seed: 6) {
            assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: 50),
                               naiveTopK(query: query, rows: rows, k: 50))
        }
    }

    func testTiesAreOrderedByRow() throws {
        // Rows 0, 3, 4 and 8,199 equal the query; every other row is orthogonal to it.
        let dimension = 64
        var rows = [[Float]](repeating: [0, 1] + [Float](repeating: 0, count: dimension - 2), count: 8200)
        let query = [1] + [Float](repeating: 0, count: dimension - 1)
        for row in [8199, 4, 3, 0] { rows[row] = query }
        let table = try VectorTable(dimension: dimension, rows: rows)
        let top = try VectorScan.topK(query: query, in: table, k: 6)
        XCTAssertEqual(top.map(\.row), [0, 3, 4, 8199, 1, 2])
        XCTAssertEqual(top.map(\.score), [1, 1, 1, 1, 0, 0])
        XCTAssertEqual(try VectorScan.topK(query: query, in: table, k: 2).map(\.row), [0, 3])
    }

    func testKAtTheEdges() throws {
        let rows = VectorFixtures.random(count: 37, dimension: 32, seed: 7)
        let table = try VectorTable(dimension: 32, rows: rows)
        let query = VectorFixtures.random(count: 1, dimension: 32, seed: 8)[0]
        XCTAssertEqual(try VectorScan.topK(query: query, in: table, k: 0), [])
        assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: 1000),
                           naiveTopK(query: query, rows: rows, k: 37))
        XCTAssertEqual(try VectorScan.topK(query: query, in: table, k: Int.max).count, 37)
        XCTAssertThrowsError(try VectorScan.topK(query: query, in: table, k: -1)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
        }
        XCTAssertEqual(try VectorScan.topK(query: query, in: VectorTable(dimension: 32), k: 5), [])
    }

    func testMasks() throws {
        let rows = VectorFixtures.random(count: 2000, dimension: 64, seed: 9)
        let table = try VectorTable(dimension: 64, rows: rows)
        let query = VectorFixtures.random(count: 1, dimension: 64, seed: 10)[0]
        var rng = SeededGenerator(seed: 11)
        let sets: [Set<Int>] = [
            [], [0], [1999], [63, 64, 127, 128, 1998],
            Set((0..<2000).filter { _ in Bool.random(using: &rng) }),
            Set(0..<2000), Set(stride(from: 5, to: 2000, by: 7)),
        ]
        for allowed in sets {
            let mask = RowMask(count: 2000, rows: allowed)
            assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: 10, allowed: mask),
                               naiveTopK(query: query, rows: rows, k: 10, allowed: allowed.contains))
        }
        // A mask shorter than the table never lets the rows past its end through.
        let short = RowMask(count: 100, rows: 0..<100)
        assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: 10, allowed: short),
                           naiveTopK(query: query, rows: rows, k: 10, allowed: { $0 < 100 }))
        let wide = RowMask(count: 5000, rows: [1, 4000])
        XCTAssertEqual(try VectorScan.topK(query: query, in: table, k: 10, allowed: wide).map(\.row), [1])
    }

    /// `all`, `intersection` and `extended` against the sets they stand for, across word edges.
    func testMaskOperations() {
        for count in [0, 1, 63, 64, 65, 130] {
            XCTAssertEqual(RowMask.all(count: count).rowCount, count)
            XCTAssertFalse(RowMask.all(count: count).contains(count))
            let evens = RowMask(count: count, rows: stride(from: 0, to: count, by: 2))
            let threes = RowMask(count: count, rows: stride(from: 0, to: count, by: 3))
            XCTAssertEqual(evens.intersection(threes), RowMask(count: count, rows: stride(from: 0, to: count, by: 6)))
            XCTAssertEqual(evens.intersection(.all(count: count)), evens)
            let longer = evens.extended(to: count + 70, holdingNew: true)
            XCTAssertEqual(longer, RowMask(count: count + 70, rows: Array(stride(from: 0, to: count, by: 2))
                                                + Array(count..<(count + 70))))
            XCTAssertEqual(evens.extended(to: count + 5, holdingNew: false).rowCount, evens.rowCount)
        }
    }

    func testMaskSplitOverThreads() throws {
        let rows = VectorFixtures.random(count: 8200, dimension: 64, seed: 12)
        let table = try VectorTable(dimension: 64, rows: rows)
        let query = VectorFixtures.random(count: 1, dimension: 64, seed: 13)[0]
        let allowed = Set(stride(from: 3, to: 8200, by: 3))
        assertMatchesNaive(try VectorScan.topK(query: query, in: table, k: 20,
                                               allowed: RowMask(count: 8200, rows: allowed)),
                           naiveTopK(query: query, rows: rows, k: 20, allowed: allowed.contains))
    }

    func testBadQueriesAreRejected() throws {
        let table = try VectorTable(dimension: 4, rows: [[1, 0, 0, 0]])
        for bad: [Float] in [[], [1, 0, 0], [1, 0, 0, 0, 0], [.nan, 0, 0, 0], [0, 0, 0, .infinity]] {
            XCTAssertThrowsError(try VectorScan.topK(query: bad, in: table, k: 1)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
            }
        }
    }

    func testOverflowingScoresDoNotBreakTheOrder() throws {
        // Finite but huge values overflow to ±infinity or NaN; such rows sort last, not at random.
        let table = try VectorTable(dimension: 2, rows: [[3e38, -3e38], [0.5, 0], [3e38, 3e38], [-1, 0]])
        let top = try VectorScan.topK(query: [3e38, 3e38], in: table, k: 4)
        XCTAssertEqual(top.map(\.row), [2, 1, 3, 0])
        XCTAssertEqual(top.last?.score, -.infinity)
    }
}
