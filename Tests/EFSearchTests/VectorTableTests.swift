// Tests of VectorTable (dimension and finiteness checks, growth, copy-on-write) and RowMask,
// plus the seeded vector fixtures the other Vector*Tests use.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

enum VectorFixtures {
    static func normalized(_ v: [Float]) -> [Float] {
        let norm = v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    /// `count` random unit vectors of `dimension`.
    static func random(count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in normalized((0..<dimension).map { _ in rng.gaussian() }) }
    }

    /// `count` unit vectors around `clusters` random centres (about 0.9 cosine to their centre).
    static func clustered(count: Int, dimension: Int, clusters: Int, spread: Float = 0.5, seed: UInt64) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in normalized((0..<dimension).map { _ in rng.gaussian() }) }
        let noise = spread / Float(dimension).squareRoot()
        return (0..<count).map { i in
            normalized(centres[i % clusters].map { $0 + noise * rng.gaussian() })
        }
    }
}

final class VectorTableTests: XCTestCase {
    func testDimensionRange() throws {
        for bad in [0, -1, 65537, Int.max] {
            XCTAssertThrowsError(try VectorTable(dimension: bad)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
            }
        }
        XCTAssertEqual(try VectorTable(dimension: 1).dimension, 1)
        XCTAssertEqual(try VectorTable(dimension: 65536).count, 0)
    }

    func testAppendKeepsRowsInOrder() throws {
        let rows = VectorFixtures.random(count: 100, dimension: 67, seed: 1)
        var table = try VectorTable(dimension: 67)
        for row in rows { try table.append(row) }
        XCTAssertEqual(table.count, 100)
        XCTAssertGreaterThanOrEqual(table.capacity, 100)
        for (index, row) in rows.enumerated() { XCTAssertEqual(table.row(index), row) }
        table.withUnsafeElements { XCTAssertEqual(Array($0), rows.flatMap { $0 }) }
        XCTAssertEqual(try VectorTable(dimension: 67, rows: rows).row(99), rows[99])
    }

    func testAppendContentsOfRowMajorBlock() throws {
        let rows = VectorFixtures.random(count: 10, dimension: 8, seed: 2)
        var table = try VectorTable(dimension: 8)
        try rows.flatMap { $0 }.withUnsafeBufferPointer { try table.append(contentsOf: $0) }
        XCTAssertEqual(table.count, 10)
        XCTAssertEqual(table.row(3), rows[3])
        XCTAssertThrowsError(try [Float](repeating: 0, count: 12).withUnsafeBufferPointer {
            try table.append(contentsOf: $0)
        })
        XCTAssertEqual(table.count, 10)
    }

    func testDimensionMismatchIsRejected() throws {
        var table = try VectorTable(dimension: 4)
        for bad in [[Float](), [1, 2, 3], [1, 2, 3, 4, 5]] {
            XCTAssertThrowsError(try table.append(bad)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
            }
        }
        XCTAssertEqual(table.count, 0)
    }

    func testNonFiniteValuesAreRejected() throws {
        var table = try VectorTable(dimension: 3)
        try table.append([1, 0, 0])
        for bad: Float in [.nan, .infinity, -.infinity, .signalingNaN] {
            XCTAssertThrowsError(try table.append([0, bad, 0])) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
                XCTAssertTrue("\(error)".contains("row 1"), "\(error)")
            }
        }
        XCTAssertEqual(table.count, 1)
    }

    func testHugeCapacityIsAnErrorNotACrash() throws {
        var table = try VectorTable(dimension: 65536)
        XCTAssertThrowsError(try table.reserveCapacity(Int.max / 2)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
        }
    }

    func testCopiesAreIndependent() throws {
        var original = try VectorTable(dimension: 2, rows: [[1, 0]])
        var copy = original
        try copy.append([0, 1])
        XCTAssertEqual(original.count, 1)
        XCTAssertEqual(copy.count, 2)
        try original.append([0.5, 0.5])
        XCTAssertEqual(copy.row(1), [0, 1])
        XCTAssertEqual(original.row(1), [0.5, 0.5])
    }

    /// A copy that grows writes past the rows the original holds (in place when there is room);
    /// when the original then grows too, each keeps its own rows.
    func testCopiesThatGrowInTurnKeepTheirOwnRows() throws {
        var original = try VectorTable(dimension: 2)
        try original.reserveCapacity(8)
        try original.append([1, 0])
        var grown = original
        try grown.append([0, 1])
        try grown.append([0.6, 0.8])
        XCTAssertEqual(original.count, 1)
        XCTAssertEqual(grown.count, 3)
        XCTAssertEqual(grown.capacity, 8, "appended in place")
        try original.append([0.8, 0.6])  // the rows after its own are the copy's: it moves out
        XCTAssertEqual([original.row(0), original.row(1)], [[1, 0], [0.8, 0.6]])
        XCTAssertEqual([grown.row(0), grown.row(1), grown.row(2)], [[1, 0], [0, 1], [0.6, 0.8]])
        var again = grown
        try again.append([-1, 0])
        XCTAssertEqual(grown.count, 3)
        XCTAssertEqual(again.row(3), [-1, 0])
        again.withUnsafeElements { XCTAssertEqual(Array($0), [1, 0, 0, 1, 0.6, 0.8, -1, 0]) }
    }

    /// A replaced row changes in this table only; bad rows are refused and change nothing.
    func testReplaceRowKeepsCopiesAndRefusesBadRows() throws {
        var table = try VectorTable(dimension: 2, rows: [[1, 0], [0, 1]])
        let snapshot = table
        try [Float(0.6), 0.8].withUnsafeBufferPointer { try table.replaceRow(1, with: $0) }
        XCTAssertEqual(table.row(1), [0.6, 0.8])
        XCTAssertEqual(snapshot.row(1), [0, 1], "a copy handed to a scan keeps its row")
        let bad: [(Int, [Float])] = [(2, [1, 0]), (-1, [1, 0]), (0, [1]), (0, [.nan, 0]), (0, [1, .infinity])]
        for (index, values) in bad {
            XCTAssertThrowsError(try values.withUnsafeBufferPointer { try table.replaceRow(index, with: $0) }) {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidInput)
            }
        }
        XCTAssertEqual([table.row(0), table.row(1)], [[1, 0], [0.6, 0.8]])
    }

    func testRowMask() {
        var mask = RowMask(count: 130)
        XCTAssertEqual(mask.rowCount, 0)
        for row in [0, 63, 64, 127, 129] { mask.insert(row) }
        XCTAssertTrue(mask.contains(63) && mask.contains(64) && mask.contains(129))
        XCTAssertFalse(mask.contains(1) || mask.contains(128))
        XCTAssertFalse(mask.contains(-1) || mask.contains(130) || mask.contains(Int.max))
        XCTAssertEqual(mask.rowCount, 5)
        mask.remove(64)
        mask.remove(1000)
        XCTAssertFalse(mask.contains(64))
        XCTAssertEqual(RowMask(count: 10, rows: [2, 3]), RowMask(count: 10, rows: [3, 2]))
        XCTAssertEqual(RowMask(count: 0).rowCount, 0)
    }
}
