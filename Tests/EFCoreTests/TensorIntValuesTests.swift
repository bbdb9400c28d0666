// Tensor.intValues converts every integer dtype to Int without trapping: uint64 values above
// Int.max are an invalid-model error naming the tensor.

import EFCore
import XCTest

final class TensorIntValuesTests: XCTestCase {
    func testEveryIntegerDTypeConverts() throws {
        XCTAssertEqual(try Tensor(shape: [2], scalars: [Int64](arrayLiteral: -3, 4)).intValues(), [-3, 4])
        XCTAssertEqual(try Tensor(shape: [2], scalars: [UInt8](arrayLiteral: 0, 255)).intValues(), [0, 255])
        XCTAssertEqual(try Tensor(shape: [1], scalars: [UInt32.max]).intValues(), [Int(UInt32.max)])
        XCTAssertEqual(try Tensor(shape: [1], scalars: [UInt64(1) << 62]).intValues(), [1 << 62])
    }

    func testHugeUInt64IsAnErrorNamingTheTensor() {
        let tensor = Tensor(shape: [2], scalars: [UInt64](arrayLiteral: 1, .max))
        XCTAssertThrowsError(try tensor.intValues("Reshape node 'r' shape")) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .invalidModel)
            XCTAssertTrue(error.message.contains("Reshape node 'r' shape"), error.message)
            XCTAssertTrue(error.message.contains("18446744073709551615"), error.message)
        }
    }

    func testFloatTensorIsRefused() {
        XCTAssertThrowsError(try Tensor(scalar: Float(1)).intValues()) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
        }
    }
}
