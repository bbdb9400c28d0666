// FastKernels.ResizePlan against Kernels.resize: nearest (bit-identical) and linear (within
// 2e-6 · max(1, |reference|)) over every coordinate transformation mode, up- and downsampling,
// NCHW and channels-last, ranks 1 to 5, tf_crop_and_resize extrapolation, 1 and 2 threads.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastResizeTests: XCTestCase {
    func testMatchesReference() throws {
        let resizes: [([Int], [Int], [Double]?)] = [
            ([1, 3, 7, 9], [1, 3, 14, 18], nil), ([1, 2, 9, 11], [1, 2, 4, 5], nil), ([1, 7, 9, 5], [1, 14, 18, 5], nil),
            ([2, 5, 6, 3], [2, 3, 13, 3], nil), ([1, 2, 5, 5], [1, 2, 10, 10], [1, 1, 2, 2]), ([9], [20], nil),
            ([2, 3, 4, 5, 6], [2, 3, 7, 5, 11], nil), ([1, 1, 4, 4], [1, 1, 3, 7], [1, 1, 0.8, 1.75]),
        ] + (TestData.isOptimizedBuild ? [([1, 64, 80, 80], [1, 64, 160, 160], nil), ([1, 80, 80, 64], [1, 160, 160, 64], nil)] : [])
        var parameters: [ResizeParameters] = []
        for coordinate in ResizeCoordinateMode.allCases where coordinate != .tfCropAndResize {
            parameters.append(ResizeParameters(mode: .linear, coordinateMode: coordinate, sizes: []))
            parameters.append(ResizeParameters(mode: .nearest, coordinateMode: coordinate, sizes: []))
        }
        for nearest in ResizeNearestMode.allCases {
            parameters.append(ResizeParameters(mode: .nearest, coordinateMode: .asymmetric, nearestMode: nearest, sizes: []))
        }
        parameters.append(ResizeParameters(mode: .linear, coordinateMode: .halfPixel, excludeOutside: true, sizes: []))
        try forEachThreadCount {
            for (index, (inShape, outShape, scales)) in resizes.enumerated() {
                let x = Tensor(shape: inShape, scalars: FastNormalizationTests.values(inShape.reduce(1, *), seed: index))
                var all = parameters
                for mode in [ResizeMode.nearest, .linear] {
                    let rank = inShape.count
                    let roi = (0..<rank).map { $0 < rank - 2 ? 0.0 : -0.2 } + (0..<rank).map { $0 < rank - 2 ? 1.0 : 1.1 }
                    all.append(ResizeParameters(mode: mode, coordinateMode: .tfCropAndResize, extrapolationValue: -7,
                                                sizes: [], roi: roi))
                }
                for var p in all {
                    p.sizes = outShape
                    p.scales = scales
                    let reference = try Kernels.resize(x, p)
                    let plan = try FastKernels.ResizePlan(p, inputShape: inShape)
                    XCTAssertEqual(plan.outputShape, reference.shape)
                    var out = [Float](repeating: .nan, count: reference.count)
                    x.scalars(as: Float.self).withUnsafeBufferPointer { src in
                        out.withUnsafeMutableBufferPointer { plan.run(input: src.baseAddress!, output: $0.baseAddress!) }
                    }
                    let tolerance = p.mode == .nearest ? 0 : 2e-6
                    XCTAssertLessThanOrEqual(FastNormalizationTests.worst(out, reference.scalars(as: Float.self)), tolerance,
                                             "\(inShape) → \(outShape) \(p.mode) \(p.coordinateMode) \(p.nearestMode)")
                }
            }
        }
    }

    func testUnsupportedModes() {
        XCTAssertFalse(FastKernels.supportsResize(ResizeParameters(mode: .cubic, sizes: [1])))
        XCTAssertFalse(FastKernels.supportsResize(ResizeParameters(mode: .linear, antialias: true, sizes: [1])))
        XCTAssertThrowsError(try FastKernels.ResizePlan(ResizeParameters(mode: .cubic, sizes: [4]), inputShape: [2]))
        XCTAssertThrowsError(try FastKernels.ResizePlan(ResizeParameters(mode: .linear, sizes: [4, 4]), inputShape: [2]))
    }
}
