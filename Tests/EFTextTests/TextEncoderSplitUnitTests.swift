// Small hand-checkable cases and errors of the split functions.

import EFCore
import EFText
import XCTest

final class TextEncoderSplitUnitTests: XCTestCase {
    let table = Tensor(shape: [4, 2], scalars: [Float](arrayLiteral: 0, 1, 10, 11, 20, 21, 30, 31))

    func testEmbeddingLookupAndPositionalAdd() throws {
        let ids = Tensor(shape: [1, 3], scalars: [Int32](arrayLiteral: 3, 0, 2))
        let embedded = try TextEncoderSplit.embedTokens(ids, table: table)
        XCTAssertEqual(embedded.shape, [1, 3, 2])
        XCTAssertEqual(embedded.scalars(as: Float.self), [30, 31, 0, 1, 20, 21])
        let positional = Tensor(shape: [3, 2], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        XCTAssertEqual(try TextEncoderSplit.addPositionalEmbedding(embedded, positional).scalars(as: Float.self),
                       [31, 33, 3, 5, 25, 27])
    }

    func testPoolingPicksTheFirstLargestIdPerRow() throws {
        let ids = Tensor(shape: [2, 3], scalars: [Int64](arrayLiteral: 5, 9, 0, 7, 7, 1))
        let hidden = Tensor(shape: [2, 3, 1], scalars: [Float](arrayLiteral: 0, 1, 2, 3, 4, 5))
        XCTAssertEqual(try TextEncoderSplit.poolEndOfText(hidden, ids: ids).scalars(as: Float.self), [1, 3])
    }

    func testProjectionAndNormalization() throws {
        let pooled = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, 2, 0, 0))
        let projection = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 3, 0, 0, 2))
        let projected = try TextEncoderSplit.project(pooled, projection)
        XCTAssertEqual(projected.scalars(as: Float.self), [3, 4, 0, 0])
        XCTAssertEqual(try TextEncoderSplit.l2Normalize(projected).scalars(as: Float.self), [0.6, 0.8, 0, 0])
    }

    func testBadInputsThrowClearErrors() {
        let outOfRange = Tensor(shape: [1, 2], scalars: [Int64](arrayLiteral: 1, 4))
        XCTAssertThrowsError(try TextEncoderSplit.embedTokens(outOfRange, table: table)) { error in
            XCTAssertTrue("\(error)".contains("token id 4"), "\(error)")
        }
        let floatIDs = Tensor(shape: [1, 2], scalars: [Float](arrayLiteral: 1, 2))
        XCTAssertThrowsError(try TextEncoderSplit.embedTokens(floatIDs, table: table))
        let hidden = Tensor(zeros: .float32, shape: [1, 3, 2])
        XCTAssertThrowsError(try TextEncoderSplit.poolEndOfText(hidden, ids: outOfRange))
        XCTAssertThrowsError(try TextEncoderSplit.project(Tensor(zeros: .float32, shape: [1, 3]), table))
    }
}
