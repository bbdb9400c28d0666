// Resize on hand-checked 1-D and 2-D cases; the ONNX suite's resize cases are checked
// through the importer in EFONNXTests.

import EFCore
import EFKernels
import XCTest

final class ResizeTests: XCTestCase {
    private func resize(_ values: [Float], _ shape: [Int], _ parameters: ResizeParameters) throws -> [Float] {
        try Kernels.resize(Tensor(shape: shape, scalars: values), parameters).scalars(as: Float.self)
    }

    func testLinearAlignCornersAndHalfPixel() throws {
        XCTAssertEqual(try resize([0, 3], [2], ResizeParameters(mode: .linear, coordinateMode: .alignCorners, sizes: [4])),
                       [0, 1, 2, 3])
        // half_pixel, ×2: coordinates −0.25, 0.25, 0.75, 1.25 → edge-clamped blends.
        XCTAssertEqual(try resize([0, 4], [2], ResizeParameters(mode: .linear, sizes: [4], scales: [2])), [0, 1, 3, 4])
    }

    func testNearestModesAndIntegerDtypes() throws {
        // asymmetric ×1.5 from 4: coordinates 0, 0.667, 1.333, 2, 2.667, 3.333.
        let x: [Float] = [10, 20, 30, 40]
        func nearest(_ mode: ResizeNearestMode) throws -> [Float] {
            try resize(x, [4], ResizeParameters(mode: .nearest, coordinateMode: .asymmetric, nearestMode: mode,
                                                sizes: [6], scales: [1.5]))
        }
        XCTAssertEqual(try nearest(.floor), [10, 10, 20, 30, 30, 40])
        XCTAssertEqual(try nearest(.ceil), [10, 20, 30, 30, 40, 40])
        XCTAssertEqual(try nearest(.roundPreferFloor), [10, 20, 20, 30, 40, 40])
        let bytes = try Kernels.resize(Tensor(shape: [1, 2], scalars: [UInt8](arrayLiteral: 7, 250)),
                                       ResizeParameters(mode: .nearest, coordinateMode: .asymmetric, sizes: [2, 4], scales: [2, 2]))
        XCTAssertEqual(bytes.scalars(as: UInt8.self), [7, 7, 250, 250, 7, 7, 250, 250])
        // Linear on uint8 rounds half to even: (7 + 250) / 2 = 128.5 → 128.
        let blended = try Kernels.resize(Tensor(shape: [2], scalars: [UInt8](arrayLiteral: 7, 250)),
                                         ResizeParameters(mode: .linear, coordinateMode: .alignCorners, sizes: [3]))
        XCTAssertEqual(blended.scalars(as: UInt8.self), [7, 128, 250])
    }

    func testSimpleNearestMatchesOnnxruntimeLegacyResize() throws {
        // onnxruntime 1.31 runs Resize-10 nearest on 0…4 with scale 0.6 as [0, 2, 4] (ceil when
        // shrinking) and on 0…3 with scale 1.5 as [0, 0, 1, 2, 2, 3] (floor when growing).
        XCTAssertEqual(try resize([0, 1, 2, 3, 4], [5], ResizeParameters(mode: .nearest, coordinateMode: .asymmetric,
                                                                         nearestMode: .simple, sizes: [3], scales: [0.6])),
                       [0, 2, 4])
        XCTAssertEqual(try resize([0, 1, 2, 3], [4], ResizeParameters(mode: .nearest, coordinateMode: .asymmetric,
                                                                      nearestMode: .simple, sizes: [6], scales: [1.5])),
                       [0, 0, 1, 2, 2, 3])
    }

    func testCropAndResizeExtrapolates() throws {
        // roi 0.5…1.5 of a 3-wide axis: coordinates 1, 2, 3 → the last is outside and takes −1.
        let y = try resize([0, 10, 20], [3], ResizeParameters(mode: .linear, coordinateMode: .tfCropAndResize,
                                                              extrapolationValue: -1, sizes: [3], roi: [0.5, 1.5]))
        XCTAssertEqual(y, [10, 20, -1])
    }

    func testRejectsMalformedParameters() {
        let x = Tensor(zeros: .float32, shape: [2, 2])
        XCTAssertThrowsError(try Kernels.resize(x, ResizeParameters(mode: .linear, sizes: [4])))
        XCTAssertThrowsError(try Kernels.resize(x, ResizeParameters(mode: .linear, sizes: [2, 4], scales: [1, 0])))
    }
}
