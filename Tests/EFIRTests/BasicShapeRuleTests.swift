// Shape rules of the elementwise, reduction and movement groups: output types from input
// types and parameters, and the errors for inputs that do not fit.

import EFCore
import EFIR
import XCTest

final class BasicShapeRuleTests: XCTestCase {
    private func infer(_ op: OpType, _ inputs: [TensorType?], _ attributes: Attributes = [:], outputs: Int = 1) throws -> [TensorType] {
        let node = try Node(name: "n", op: op, inputs: inputs.map { $0 == nil ? "" : "x" },
                        outputs: (0..<outputs).map { "y\($0)" }, attributes: attributes)
        return try ShapeInference.infer(node, inputTypes: inputs)
    }

    func testElementwiseTypes() throws {
        let f = TensorType(.float32, [2, 1, 3]), g = TensorType(.float32, [4, 1])
        XCTAssertEqual(try infer(.binary, [f, g], ["fn": .string("add")]), [TensorType(.float32, [2, 4, 3])])
        XCTAssertEqual(try infer(.binary, [f, g], ["fn": .string("less")]), [TensorType(.bool, [2, 4, 3])])
        XCTAssertEqual(try infer(.binary, [f, TensorType(.int64, [])], ["fn": .string("pow")]), [f])
        XCTAssertEqual(try infer(.unary, [f], ["fn": .string("isNaN")]), [TensorType(.bool, f.shape)])
        XCTAssertEqual(try infer(.cast, [f], ["to": .string("float16")]), [TensorType(.float16, f.shape)])
        let condition = TensorType(.bool, [3])
        XCTAssertEqual(try infer(.where, [condition, TensorType(.int32, [2, 1]), TensorType(.int32, [])]),
                       [TensorType(.int32, [2, 3])])
    }

    func testElementwiseErrorsNameTheProblem() {
        let f = TensorType(.float32, [2, 3])
        XCTAssertThrowsError(try infer(.binary, [f, TensorType(.float32, [4])], ["fn": .string("add")])) { error in
            XCTAssertTrue("\(error)".contains("cannot be broadcast"), "\(error)")
        }
        XCTAssertThrowsError(try infer(.binary, [f, TensorType(.int32, [3])], ["fn": .string("mul")]))
        XCTAssertThrowsError(try infer(.binary, [f, f], ["fn": .string("and")]))
        XCTAssertThrowsError(try infer(.unary, [f], ["fn": .string("frobnicate")]))
        XCTAssertThrowsError(try infer(.where, [f, f, f]))
    }

    func testReductionTypes() throws {
        let x = TensorType(.float32, [2, 3, 4])
        XCTAssertEqual(try infer(.reduce, [x], ["fn": .string("sum"), "axes": .ints([0, 2]), "keepDims": .int(0)]),
                       [TensorType(.float32, [3])])
        XCTAssertEqual(try infer(.reduce, [x], ["fn": .string("max"), "axes": .ints([]), "keepDims": .int(1)]),
                       [TensorType(.float32, [1, 1, 1])])
        XCTAssertEqual(try infer(.argReduce, [x], ["fn": .string("max"), "axis": .int(1), "keepDims": .int(0)]),
                       [TensorType(.int64, [2, 4])])
        XCTAssertEqual(try infer(.topK, [x], ["k": .int(2), "axis": .int(2)], outputs: 2),
                       [TensorType(.float32, [2, 3, 2]), TensorType(.int64, [2, 3, 2])])
        XCTAssertEqual(try infer(.softmax, [x], ["axis": .int(2)]), [x])
        XCTAssertThrowsError(try infer(.reduce, [x], ["fn": .string("sum"), "axes": .ints([3])]))
        XCTAssertThrowsError(try infer(.softmax, [TensorType(.int32, [2])], ["axis": .int(0)]))
        XCTAssertThrowsError(try infer(.topK, [x], ["k": .int(5), "axis": .int(2)], outputs: 2))
    }

    func testMovementTypes() throws {
        let x = TensorType(.float16, [2, 3, 4])
        let indices = TensorType(.int64, [5, 1])
        XCTAssertEqual(try infer(.gather, [x, indices], ["axis": .int(1)]), [TensorType(.float16, [2, 5, 1, 4])])
        XCTAssertEqual(try infer(.transpose, [x], ["perm": .ints([2, 0, 1])]), [TensorType(.float16, [4, 2, 3])])
        XCTAssertEqual(try infer(.slice, [x], ["starts": .ints([0, 2, 3]), "ends": .ints([2, -1, 0]), "steps": .ints([1, -1, -2])]),
                       [TensorType(.float16, [2, 3, 2])])
        XCTAssertEqual(try infer(.pad, [x], ["pads": .ints([0, 1, -1, 0, 1, 2])]), [TensorType(.float16, [2, 5, 5])])
        XCTAssertEqual(try infer(.concat, [x, TensorType(.float16, [2, 1, 4])], ["axis": .int(1)]), [TensorType(.float16, [2, 4, 4])])
        XCTAssertEqual(try infer(.expand, [TensorType(.int8, [3, 1])], ["shape": .ints([2, 3, 5])]), [TensorType(.int8, [2, 3, 5])])
        XCTAssertEqual(try infer(.tile, [x], ["repeats": .ints([1, 2, 0])]), [TensorType(.float16, [2, 6, 0])])
        XCTAssertEqual(try infer(.gatherND, [x, TensorType(.int64, [2, 1])], ["batchDims": .int(1)]), [TensorType(.float16, [2, 4])])
        XCTAssertEqual(try infer(.depthToSpace, [TensorType(.float32, [1, 8, 2, 3])], ["blockSize": .int(2)]),
                       [TensorType(.float32, [1, 2, 4, 6])])
        XCTAssertEqual(try infer(.oneHot, [TensorType(.int64, [3]), TensorType(.float32, [2])], ["depth": .int(4), "axis": .int(0)]),
                       [TensorType(.float32, [4, 3])])
    }

    func testMovementErrors() {
        let x = TensorType(.float32, [2, 3])
        XCTAssertThrowsError(try infer(.reshape, [x], ["shape": .ints([4, 2])]))
        XCTAssertThrowsError(try infer(.slice, [x], ["starts": .ints([0, 1]), "ends": .ints([2, 5]), "steps": .ints([1, 1])]))
        XCTAssertThrowsError(try infer(.pad, [x], ["pads": .ints([0, -4, 0, 0])]))
        XCTAssertThrowsError(try infer(.gather, [x, TensorType(.float32, [1])], ["axis": .int(0)]))
        XCTAssertThrowsError(try infer(.expand, [x], ["shape": .ints([3, 3])]))
        XCTAssertThrowsError(try infer(.transpose, [x], ["perm": .ints([1, 1])]))
        XCTAssertThrowsError(try infer(.tile, [x], ["repeats": .ints([Int.max, 2])]))
        XCTAssertThrowsError(try infer(.pad, [x], ["pads": .ints([Int.max, 0, Int.max, 0])]))
        let overflowing: Attributes = ["starts": .ints([Int.min, 0]), "ends": .ints([Int.max, 3]), "steps": .ints([1, 1])]
        XCTAssertEqual(try infer(.slice, [x], overflowing), [TensorType(.float32, [0, 3])], "an overflowing span selects nothing")
    }
}
