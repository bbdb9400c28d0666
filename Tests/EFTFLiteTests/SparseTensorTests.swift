// Densifying TFLite's sparse constants on hand-worked layouts (compressed rows, and 2×2 blocks
// of which only the stored ones are kept), and the parameter errors a corrupt file can carry.
// MediaPipe's pose detector and full-range face detector (TFLiteGoldenTests) check the same
// code against LiteRT on real weights.

import EFCore
import EFTFLite
import XCTest

final class SparseTensorTests: XCTestCase {
    private typealias Level = TFLiteSparsity.Level

    private func densify(_ values: [Float], shape: [Int], _ sparsity: TFLiteSparsity) throws -> [Float] {
        let bytes = values.withUnsafeBytes { Array($0) }
        let dense = try SparseTensors.densify(bytes[...], elementSize: 4, shape: shape, sparsity: sparsity,
                                              name: "w")
        return dense.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Rows dense, columns compressed: row r holds indices[segments[r]..<segments[r+1]].
    private let rows = TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], levels: [
        Level(isDense: true, denseSize: 4),
        Level(isDense: false, denseSize: 0, segments: [0, 3, 3, 5, 5], indices: [0, 2, 3, 0, 3]),
    ])

    func testCompressedRows() throws {
        XCTAssertEqual(try densify([6, 9, 8, 5, 7], shape: [4, 4], rows), [
            6, 0, 9, 8,
            0, 0, 0, 0,
            5, 0, 0, 7,
            0, 0, 0, 0,
        ])
    }

    /// A 4×4 matrix of 2×2 blocks: block rows dense, block columns compressed (block (0, 0) and
    /// block (1, 1) stored), each block dense inside.
    func testBlocks() throws {
        let blocks = TFLiteSparsity(traversalOrder: [0, 1, 2, 3], blockMap: [0, 1], levels: [
            Level(isDense: true, denseSize: 2),
            Level(isDense: false, denseSize: 0, segments: [0, 1, 2], indices: [0, 1]),
            Level(isDense: true, denseSize: 2), Level(isDense: true, denseSize: 2),
        ])
        XCTAssertEqual(try densify([1, 2, 3, 4, 5, 6, 7, 8], shape: [4, 4], blocks), [
            1, 2, 0, 0,
            3, 4, 0, 0,
            0, 0, 5, 6,
            0, 0, 7, 8,
        ])
    }

    func testCorruptParametersAreInvalidModels() {
        var outside = rows
        outside.levels[1].indices[4] = 4
        var shortSegments = rows
        shortSegments.levels[1].segments = [0, 3, 9]
        var wrongDenseSize = rows
        wrongDenseSize.levels[0].denseSize = 5
        let badOrder = TFLiteSparsity(traversalOrder: [1, 1], blockMap: [], levels: rows.levels)
        let cases: [(String, [Float], TFLiteSparsity, String)] = [
            ("index outside the row", [6, 9, 8, 5, 7], outside, "index 4 is outside 0..<4"),
            ("segments past the indices", [6, 9, 8, 5, 7], shortSegments, "segment 1"),
            ("dense size unlike the shape", [6, 9, 8, 5, 7], wrongDenseSize, "dense with size 5"),
            ("not a traversal order", [6, 9, 8, 5, 7], badOrder, "traversal order [1, 1]"),
            ("fewer values than stored positions", [6, 9, 8, 5], rows, "more values than its buffer's 4"),
            ("more values than stored positions", [6, 9, 8, 5, 7, 1], rows, "place 5 values; its buffer holds 6"),
        ]
        for (what, values, sparsity, message) in cases {
            XCTAssertThrowsError(try densify(values, shape: [4, 4], sparsity), what) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, what)
                XCTAssertTrue("\(error)".contains(message), "\(what): \(error)")
            }
        }
    }
}
