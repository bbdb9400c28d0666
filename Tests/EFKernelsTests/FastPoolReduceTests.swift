// FastKernels pooling (NCHW and NHWC), global average pooling and reduce against
// Kernels.pool and Kernels.reduce: strides, pads, dilations, ceil mode, count_include_pad,
// widths and channel counts with partial vectors, 1 and 2 threads.
// Tolerance: max pooling and max/min reduce exact; average pooling 1e-6 and sum/mean
// reductions 1e-5, relative to max(1, |reference|).

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastPoolReduceTests: XCTestCase {
    static func nhwc(_ t: Tensor) throws -> Tensor { try Kernels.transpose(t, perm: [0, 2, 3, 1]) }

    func testPoolingMatchesReferenceInBothLayouts() throws {
        var cases: [([Int], PoolParameters)] = [
            ([1, 3, 11, 13], PoolParameters(kind: .max, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])),
            ([2, 5, 9, 17], PoolParameters(kind: .avg, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true)),
            ([1, 9, 10, 10], PoolParameters(kind: .avg, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: true)),
            ([1, 4, 7, 9], PoolParameters(kind: .avg, kernel: [3, 2], strides: [2, 3], pads: [1, 0, 2, 1], ceilMode: true,
                                          countIncludePad: true)),
            ([2, 3, 12, 11], PoolParameters(kind: .max, kernel: [3, 2], strides: [2, 2], dilations: [2, 3], pads: [1, 0, 2, 1],
                                            ceilMode: true)),
            ([1, 16, 8, 8], PoolParameters(kind: .max, kernel: [2, 2], strides: [2, 2])),
            ([1, 17, 5, 5], PoolParameters(kind: .avg, kernel: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2])),
            ([1, 2, 6, 6], PoolParameters(kind: .max, kernel: [3, 3], strides: [3, 3], pads: [2, 2, 2, 2])),
            ([1, 24, 40, 40], PoolParameters(kind: .max, kernel: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2])),
        ]
        if TestData.isOptimizedBuild {
            cases += [([1, 64, 112, 112], PoolParameters(kind: .max, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])),
                      ([2, 40, 33, 35], PoolParameters(kind: .avg, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
                                                       ceilMode: true, countIncludePad: true))]
        }
        try forEachThreadCount {
            for (index, (shape, parameters)) in cases.enumerated() {
                let x = Tensor(shape: shape, scalars: FastNormalizationTests.values(shape.reduce(1, *), seed: index))
                let reference = try Kernels.pool(x, parameters)
                for layout in [FastLayout.nchw, .nhwc] {
                    let input = layout == .nchw ? x : try Self.nhwc(x)
                    let expected = layout == .nchw ? reference : try Self.nhwc(reference)
                    let plan = try FastKernels.PoolPlan(parameters, inputShape: input.shape, layout: layout)
                    XCTAssertEqual(plan.outputShape, expected.shape)
                    var out = [Float](repeating: .nan, count: expected.count)
                    input.scalars(as: Float.self).withUnsafeBufferPointer { src in
                        out.withUnsafeMutableBufferPointer { plan.run(input: src.baseAddress!, output: $0.baseAddress!) }
                    }
                    let tolerance = parameters.kind == .max ? 0 : 1e-6
                    XCTAssertLessThanOrEqual(FastNormalizationTests.worst(out, expected.scalars(as: Float.self)), tolerance,
                                             "\(layout) \(shape) \(parameters)")
                }
            }
        }
        XCTAssertFalse(FastKernels.supportsPool(PoolParameters(kind: .lp, kernel: [2, 2]), rank: 4))
        XCTAssertThrowsError(try FastKernels.PoolPlan(PoolParameters(kind: .max, kernel: [3]), inputShape: [1, 1, 5],
                                                      layout: .nchw))
    }

    func testGlobalAveragePoolAndReduce() throws {
        var shapes = [[2, 5, 3, 7], [1, 16, 4, 4], [3, 9, 1, 1], [1, 3, 13, 1]]
        if TestData.isOptimizedBuild { shapes += [[1, 2048, 7, 7], [8, 96, 40, 40]] }
        try forEachThreadCount {
            for (index, shape) in shapes.enumerated() {
                var values = FastNormalizationTests.values(shape.reduce(1, *), seed: index)
                let x = Tensor(shape: shape, scalars: values)
                let (n, c, spatial) = (shape[0], shape[1], shape[2] * shape[3])
                let mean = try Kernels.reduce(.mean, x, axes: [2, 3], keepDims: false).scalars(as: Float.self)
                for layout in [FastLayout.nchw, .nhwc] {
                    let input = layout == .nchw ? values : try Self.nhwc(x).scalars(as: Float.self)
                    var out = [Float](repeating: .nan, count: n * c)
                    out.withUnsafeMutableBufferPointer {
                        FastKernels.globalAveragePool(input: input, output: $0.baseAddress!, batch: n, channels: c,
                                                      spatial: spatial, layout: layout)
                    }
                    XCTAssertLessThanOrEqual(FastNormalizationTests.worst(out, mean), 1e-5, "global \(layout) \(shape)")
                }
                // reduce over the middle of [N, C, H·W] viewed as (outer, reduced, inner), both placements.
                if index == 0 { values[5] = .nan }
                let y = Tensor(shape: shape, scalars: values)
                for (axes, outer, reduced, inner) in [([1], n, c, spatial), ([2, 3], n * c, spatial, 1), ([0, 1], 1, n * c, spatial)] {
                    for fn in [ReduceFunction.sum, .mean, .max, .min] {
                        let expected = try Kernels.reduce(fn, y, axes: axes, keepDims: false).scalars(as: Float.self)
                        var out = [Float](repeating: 0, count: outer * inner)
                        out.withUnsafeMutableBufferPointer {
                            FastKernels.reduce(FastReduction(fn)!, input: values, output: $0.baseAddress!, outer: outer,
                                               reduced: reduced, inner: inner)
                        }
                        let tolerance = fn == .max || fn == .min ? 0 : 1e-5
                        XCTAssertLessThanOrEqual(FastNormalizationTests.worst(out, expected), tolerance, "\(fn) \(shape) axes \(axes)")
                    }
                }
            }
        }
        XCTAssertNil(FastReduction(.prod))
    }
}
