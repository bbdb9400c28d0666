// Data-movement kernels: hand-worked cases for slicing, padding, gathers and scatters,
// rearrangements, and the errors that replace crashes on bad indices.

import EFCore
import EFKernels
import XCTest

final class MovementKernelTests: XCTestCase {
    private let x34 = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) })

    func testTransposeAndConcat() throws {
        let t = try Kernels.transpose(x34, perm: [1, 0])
        XCTAssertEqual(t.shape, [4, 3])
        XCTAssertEqual(t.scalars(as: Float.self), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        let c = try Kernels.concat([x34, Tensor(zeros: .float32, shape: [3, 0]), t.reshaped([3, 4])], axis: 1)
        XCTAssertEqual(c.shape, [3, 8])
        XCTAssertEqual(Array(c.scalars(as: Float.self)[4..<8]), [0, 4, 8, 1])
        XCTAssertThrowsError(try Kernels.transpose(x34, perm: [0, 0]))
        XCTAssertThrowsError(try Kernels.concat([x34, t], axis: 0))
    }

    func testSliceWithNegativeStepToTheStart() throws {
        let row = try Kernels.slice(x34, starts: [2, 3], ends: [-1, 0], steps: [-2, -2])
        XCTAssertEqual(row.shape, [2, 2])
        XCTAssertEqual(row.scalars(as: Float.self), [11, 9, 3, 1])
        XCTAssertEqual(try Kernels.slice(x34, starts: [3, 0], ends: [3, 4], steps: [1, 1]).shape, [0, 4])
        XCTAssertThrowsError(try Kernels.slice(x34, starts: [0, 2], ends: [3, 9], steps: [1, 1]))
    }

    func testSliceIgnoresTheStartAndStepOfEmptyOrSingleAxes() throws {
        // From an archive the CLI campaign made: parameters of axes that read nothing (or once)
        // are never range-checked, so they must not reach the offset or stride arithmetic.
        let empty = try Kernels.slice(x34, starts: [Int.min, 0], ends: [Int.min, 4], steps: [Int.max, 1])
        XCTAssertEqual(empty.shape, [0, 4])
        let once = try Kernels.slice(x34, starts: [1, 2], ends: [2, 3], steps: [1 << 62, 1 << 62])
        XCTAssertEqual(once.scalars(as: Float.self), [6])
    }

    func testPadModes() throws {
        let x = Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, 2, 3))
        let zero = Tensor(scalar: Float(0))
        func pad(_ mode: Kernels.PadMode, _ pads: [Int]) throws -> [Float] {
            try Kernels.pad(x, pads: pads, mode: mode, value: Tensor(scalar: Float(9))).scalars(as: Float.self)
        }
        XCTAssertEqual(try pad(.constant, [2, 1]), [9, 9, 1, 2, 3, 9])
        XCTAssertEqual(try pad(.reflect, [2, 2]), [3, 2, 1, 2, 3, 2, 1])
        XCTAssertEqual(try pad(.edge, [2, 1]), [1, 1, 1, 2, 3, 3])
        XCTAssertEqual(try pad(.wrap, [2, 4]), [2, 3, 1, 2, 3, 1, 2, 3, 1])
        XCTAssertEqual(try pad(.constant, [-1, 1]), [2, 3, 9])
        XCTAssertThrowsError(try Kernels.pad(x, pads: [-4, 0], mode: .constant, value: zero))
        XCTAssertThrowsError(try Kernels.pad(Tensor(zeros: .float32, shape: [0]), pads: [1, 1], mode: .edge, value: zero))
    }

    func testGatherNegativeIndicesAndRangeErrors() throws {
        let rows = try Kernels.gather(x34, indices: Tensor(shape: [2], scalars: [Int64](arrayLiteral: -1, 0)), axis: 0)
        XCTAssertEqual(rows.scalars(as: Float.self), [8, 9, 10, 11, 0, 1, 2, 3])
        let column = try Kernels.gather(x34, indices: Tensor(scalar: Int32(-3)), axis: 1)
        XCTAssertEqual(column.shape, [3])
        XCTAssertEqual(column.scalars(as: Float.self), [1, 5, 9])
        XCTAssertThrowsError(try Kernels.gather(x34, indices: Tensor(scalar: Int64(3)), axis: 0))
        XCTAssertThrowsError(try Kernels.gather(x34, indices: Tensor(scalar: Float(1)), axis: 0))
    }

    func testGatherElementsAndGatherNDWithBatchDims() throws {
        let picked = try Kernels.gatherElements(x34, indices: Tensor(shape: [3, 1], scalars: [Int64](arrayLiteral: 3, -1, 0)), axis: 1)
        XCTAssertEqual(picked.scalars(as: Float.self), [3, 7, 8])
        let data = Tensor(shape: [2, 2, 2], scalars: (0..<8).map { Int32($0) })
        let nd = try Kernels.gatherND(data, indices: Tensor(shape: [2, 1], scalars: [Int64](arrayLiteral: 1, 0)), batchDims: 1)
        XCTAssertEqual(nd.shape, [2, 2])
        XCTAssertEqual(nd.scalars(as: Int32.self), [2, 3, 4, 5])
    }

    func testScatterReductionsAndDuplicates() throws {
        let data = Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 1, 1, 1))
        let indices = Tensor(shape: [3], scalars: [Int64](arrayLiteral: 1, 1, -1))
        let updates = Tensor(shape: [3], scalars: [Float](arrayLiteral: 2, 3, 5))
        XCTAssertEqual(try Kernels.scatterElements(data, indices: indices, updates: updates, axis: 0, reduction: .none).scalars(as: Float.self), [1, 3, 1, 5])
        XCTAssertEqual(try Kernels.scatterElements(data, indices: indices, updates: updates, axis: 0, reduction: .add).scalars(as: Float.self), [1, 6, 1, 6])
        XCTAssertEqual(try Kernels.scatterElements(data, indices: indices, updates: updates, axis: 0, reduction: .mul).scalars(as: Float.self), [1, 6, 1, 5])
        let nd = try Kernels.scatterND(x34, indices: Tensor(shape: [1, 1], scalars: [Int64](arrayLiteral: 2)),
                                       updates: Tensor(shape: [1, 4], scalars: [Float](repeating: -1, count: 4)), reduction: .max)
        XCTAssertEqual(Array(nd.scalars(as: Float.self)[8...]), [8, 9, 10, 11])
    }

    func testTileExpandAndBlockRearrangements() throws {
        let x = Tensor(shape: [1, 2], scalars: [Int8](arrayLiteral: 1, 2))
        XCTAssertEqual(try Kernels.tile(x, repeats: [2, 2]).scalars(as: Int8.self), [1, 2, 1, 2, 1, 2, 1, 2])
        XCTAssertEqual(try Kernels.expand(x, to: [2, 2]).scalars(as: Int8.self), [1, 2, 1, 2])
        XCTAssertThrowsError(try Kernels.expand(x, to: [3]))
        let depth = Tensor(shape: [1, 4, 1, 1], scalars: [Float](arrayLiteral: 1, 2, 3, 4))
        XCTAssertEqual(try Kernels.depthToSpace(depth, blockSize: 2, mode: "DCR").scalars(as: Float.self), [1, 2, 3, 4])
        let space = try Kernels.depthToSpace(depth, blockSize: 2, mode: "DCR")
        XCTAssertTrue(try Kernels.spaceToDepth(space, blockSize: 2).isBitwiseEqual(to: depth))
    }

    func testTriluWithNegativeAndHugeK() throws {
        let lower = try Kernels.trilu(x34, upper: false, k: -1)
        XCTAssertEqual(lower.scalars(as: Float.self), [0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0])
        XCTAssertEqual(try Kernels.trilu(x34, upper: true, k: Int.min).scalars(as: Float.self), x34.scalars(as: Float.self))
        XCTAssertEqual(try Kernels.trilu(x34, upper: true, k: Int.max).scalars(as: Float.self), [Float](repeating: 0, count: 12))
    }

    func testOneHotTruncatesFloatIndices() throws {
        let indices = Tensor(shape: [3], scalars: [Float](arrayLiteral: 1.7, -1, 9))
        let values = Tensor(shape: [2], scalars: [Int32](arrayLiteral: 0, 5))
        let y = try Kernels.oneHot(indices, depth: 3, values: values, axis: 1)
        XCTAssertEqual(y.scalars(as: Int32.self), [0, 5, 0, 0, 0, 5, 0, 0, 0])
    }

    func testAbsurdParametersThrowInsteadOfTrapping() {
        XCTAssertThrowsError(try Kernels.tile(x34, repeats: [Int.max, 2]))
        XCTAssertThrowsError(try Kernels.pad(x34, pads: [Int.max, 0, Int.max, 0], mode: .constant, value: Tensor(scalar: Float(0))))
        XCTAssertThrowsError(try Kernels.gather(x34, indices: Tensor(scalar: UInt64.max), axis: 0))
        XCTAssertThrowsError(try Kernels.depthToSpace(Tensor(zeros: .float32, shape: [1, 4, 1, 1]), blockSize: Int.max, mode: "DCR"))
        XCTAssertEqual(Kernels.sliceLength(start: Int.min, end: Int.max, step: 1), 0, "overflowing span selects nothing")
        XCTAssertEqual(Kernels.sliceLength(start: 3, end: -1, step: -2), 2)
    }
}
