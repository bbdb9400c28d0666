// QuantizeLinear/DequantizeLinear with the small ONNX types: float8 saturation, float4e2m1's
// zero point added in float32, int4 clamping, and float8 dequantization ignoring the zero point.

import EFCore
import EFKernels
import XCTest

final class QuantSmallTypesTests: XCTestCase {
    private let x = Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, -3, 1e6, 20))
    private let scale = Tensor(scalar: Float(2))

    func testFloat8SaturatesUnlessAskedNotTo() throws {
        let saturated = try Kernels.quantizeLinear(x, scale: scale, zeroPoint: nil, outputDType: .float8e4m3fn)
        XCTAssertEqual([UInt8](saturated.data), [0x30, 0xBC, 0x7E, 0x52])  // 0.5, -1.5, 448, 10
        let plain = try Kernels.quantizeLinear(x, scale: scale, zeroPoint: nil, outputDType: .float8e4m3fn,
                                               saturate: false)
        XCTAssertEqual([UInt8](plain.data), [0x30, 0xBC, 0x7F, 0x52])
    }

    func testFloat4AddsItsZeroPointAndInt4Clamps() throws {
        let zeroPoint = try Kernels.cast(Tensor(scalar: Float(1)), to: .float4e2m1)
        let fp4 = try Kernels.quantizeLinear(x, scale: scale, zeroPoint: zeroPoint, outputDType: .float4e2m1)
        XCTAssertEqual(try Kernels.cast(fp4, to: .float32).scalars(as: Float.self), [1.5, -0.5, 6, 6])
        let int4 = try Kernels.quantizeLinear(x, scale: scale, zeroPoint: nil, outputDType: .int4)
        XCTAssertEqual(int4.doubleValues(), [0, -2, 7, 7])
    }

    func testFloat8DequantizationIgnoresTheZeroPoint() throws {
        let codes = try Kernels.cast(Tensor(shape: [2], scalars: [Float](arrayLiteral: 1.5, -448)), to: .float8e4m3fn)
        let zero = try Kernels.cast(Tensor(scalar: Float(0)), to: .float8e4m3fn)
        let y = try Kernels.dequantizeLinear(codes, scale: scale, zeroPoint: zero)
        XCTAssertEqual(y.scalars(as: Float.self), [3, -896])
    }
}
