// GridSample on hand-checked 2×2 images: each mode at known positions, the padding modes
// outside the input, integer truncation, and positions that must not trap (NaN, infinities,
// a one-pixel input reflected with align_corners). The ONNX suite and the onnxruntime cases
// of Tests/Goldens/ort-op-cases check the rest through the importer.

import EFCore
import EFKernels
import XCTest

final class GridSampleTests: XCTestCase {
    private let image = Tensor(shape: [1, 1, 2, 2], scalars: [Float](arrayLiteral: 1, 2, 3, 4))

    private func sample(_ points: [(Float, Float)], _ parameters: GridSampleParameters,
                        _ x: Tensor? = nil) throws -> [Double] {
        let grid = Tensor(shape: [1, 1, points.count, 2], scalars: points.flatMap { [$0.0, $0.1] })
        return try Kernels.gridSample(x ?? image, grid, parameters).doubleValues()
    }

    func testLinearAtCentersCornersAndOutside() throws {
        let linear = GridSampleParameters()
        // (0, 0) is the middle of the four pixels; ±0.5 are pixel centers without align_corners.
        XCTAssertEqual(try sample([(0, 0), (-0.5, -0.5), (0.5, 0.5)], linear), [2.5, 1, 4])
        XCTAssertEqual(try sample([(-1, -1), (1, 1)], GridSampleParameters(alignCorners: true)), [1, 4])
        // Outside: zeros fades to 0 (a quarter of pixel 1 at the outer corner), border clamps.
        XCTAssertEqual(try sample([(-1, -1), (-3, 0.5)], linear), [0.25, 0])
        XCTAssertEqual(try sample([(-3, -3), (3, 0.5)], GridSampleParameters(padding: .border)), [1, 4])
    }

    func testNearestRoundsHalfToEvenAndReflectionFolds() throws {
        let nearest = GridSampleParameters(mode: .nearest, alignCorners: true)
        // x = 0.5 rounds to 0; x = 1.5 rounds to 2, outside: zeros reads 0.
        XCTAssertEqual(try sample([(0, -1), (2, -1)], nearest), [1, 0])
        // Reflection with align_corners: x = 3 reflects at 1 and at 0 back to 1; x = -0.6 rounds
        // to -1 and reflects to 1.
        let reflect = GridSampleParameters(mode: .nearest, padding: .reflection, alignCorners: true)
        XCTAssertEqual(try sample([(5, -1), (-2.2, 1)], reflect), [2, 4])
    }

    func testCubicOnAConstantImageIsThatConstant() throws {
        let flat = Tensor(shape: [1, 1, 3, 3], scalars: [Float](repeating: 5, count: 9))
        let values = try sample([(0.3, -0.2), (0.9, 0.9)], GridSampleParameters(mode: .cubic, padding: .border), flat)
        for value in values { XCTAssertEqual(value, 5, accuracy: 1e-6) }
    }

    func testIntegersTruncateAndHostilePositionsDoNotTrap() throws {
        let bytes = Tensor(shape: [1, 1, 1, 2], scalars: [Int32](arrayLiteral: 1, 2))
        XCTAssertEqual(try sample([(0, 0)], GridSampleParameters(), bytes), [1])  // 1.5 truncates
        let hostile: [(Float, Float)] = [(.nan, 0), (.infinity, 0), (-.infinity, .nan), (1e30, -1e30)]
        for padding in GridSamplePadding.allCases {
            for mode in GridSampleMode.allCases {
                for align in [false, true] {
                    let p = GridSampleParameters(mode: mode, padding: padding, alignCorners: align)
                    XCTAssertEqual(try sample(hostile, p).count, 4)
                }
            }
        }
        let pixel = Tensor(shape: [1, 1, 1, 1], scalars: [Float(7)])
        let reflect = GridSampleParameters(padding: .reflection, alignCorners: true)
        XCTAssertEqual(try sample([(0.4, -2.5)], reflect, pixel), [7])
    }

    func testMismatchedShapesAreRefused() {
        let grid = Tensor(shape: [1, 1, 1, 3], scalars: [Float](repeating: 0, count: 3))
        XCTAssertThrowsError(try Kernels.gridSample(image, grid, GridSampleParameters()))
        let batch = Tensor(shape: [2, 1, 1, 2], scalars: [Float](repeating: 0, count: 4))
        XCTAssertThrowsError(try Kernels.gridSample(image, batch, GridSampleParameters()))
    }
}
