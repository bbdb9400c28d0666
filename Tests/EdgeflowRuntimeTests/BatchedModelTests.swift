// BatchedModel: items run in full batches on the batch executable and the rest on the single
// one, each row equal to the item's own run; items and batch executables of another shape are
// refused by name.

import EFCore
import EFTestSupport
import EdgeflowRuntime
import Foundation
import XCTest

final class BatchedModelTests: XCTestCase {
    private func model(batch: Int = 1, side: Int = 8) throws -> EdgeflowModel {
        try EdgeflowModel(data: try ExecutableFixtures.bytes(try ExecutableFixtures.graph(batch: batch, side: side)),
                          label: "batch \(batch)")
    }

    func testRowsEqualSingleRunsInFullBatchesAndTheRestAlone() throws {
        let single = try model()
        let runs = try BatchedModel(single: single, batch: try model(batch: 2))
        XCTAssertEqual(runs.batchSize, 2)
        let items = (0..<5).map { ExecutableFixtures.input(seed: UInt64(10 + $0))["x"]! }
        let rows = try runs.run(items)  // two batches of 2, then one alone
        XCTAssertEqual(rows.count, 5)
        for (index, item) in items.enumerated() {
            let alone = try XCTUnwrap(try single.run(["x": item])[single.outputs[0].name])
            XCTAssertEqual(rows[index].shape, [1, 5])
            let difference = zip(alone.scalars(as: Float.self), rows[index].scalars(as: Float.self))
                .map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThanOrEqual(difference, 1e-5, "item \(index)")
        }
        XCTAssertNotEqual(rows[0].scalars(as: Float.self), rows[1].scalars(as: Float.self))
        XCTAssertEqual(try runs.run([]).count, 0)
        XCTAssertEqual(try BatchedModel(single: single).batchSize, 1)
    }

    func testItemsAndBatchExecutablesOfAnotherShapeAreRefused() throws {
        let single = try model()
        _ = assertEdgeflowError(.invalidModel, ["for a batch", "[2, 3, 6, 6]"]) {
            _ = try BatchedModel(single: single, batch: try self.model(batch: 2, side: 6))
        }
        _ = assertEdgeflowError(.invalidModel, ["float32 [1, …]"]) {
            _ = try BatchedModel(single: try self.model(batch: 2))
        }
        let runs = try BatchedModel(single: single)
        _ = assertEdgeflowError(.invalidInput, ["item 1 is float32[1, 3, 6, 6]"]) {
            let other = Tensor(shape: [1, 3, 6, 6], scalars: [Float](repeating: 0, count: 108))
            _ = try runs.run([ExecutableFixtures.input()["x"]!, other])
        }
    }
}
