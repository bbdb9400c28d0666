// Reductions, softmax, normalization, cumulative sums and top-k: hand-worked edge cases.

import EFCore
import EFKernels
import XCTest

final class ReductionKernelTests: XCTestCase {
    private let x23 = Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))

    func testReduceOverNonAdjacentAxesAndKeepDims() throws {
        let x = Tensor(shape: [2, 2, 2], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6, 7, 8))
        let sum = try Kernels.reduce(.sum, x, axes: [0, 2], keepDims: true)
        XCTAssertEqual(sum.shape, [1, 2, 1])
        XCTAssertEqual(sum.scalars(as: Float.self), [14, 22])  // 1+2+5+6, 3+4+7+8
        XCTAssertEqual(try Kernels.reduce(.max, x, axes: [], keepDims: false).scalars(as: Float.self), [8])
        XCTAssertEqual(try Kernels.reduce(.prod, x23, axes: [1], keepDims: false).scalars(as: Float.self), [6, 120])
        XCTAssertEqual(try Kernels.reduce(.l1, try Kernels.unary(.neg, x23), axes: [0], keepDims: false).scalars(as: Float.self), [5, 7, 9])
    }

    func testEmptyReductionsGiveIdentities() throws {
        let empty = Tensor(zeros: .float32, shape: [2, 0])
        func reduce(_ fn: ReduceFunction) throws -> [Float] {
            try Kernels.reduce(fn, empty, axes: [1], keepDims: false).scalars(as: Float.self)
        }
        XCTAssertEqual(try reduce(.sum), [0, 0])
        XCTAssertEqual(try reduce(.prod), [1, 1])
        XCTAssertEqual(try reduce(.max), [-.infinity, -.infinity])
        XCTAssertEqual(try reduce(.min), [.infinity, .infinity])
        XCTAssertEqual(try reduce(.l2), [0, 0])
        XCTAssertEqual(try reduce(.logSumExp), [-.infinity, -.infinity])
        XCTAssertTrue(try reduce(.mean).allSatisfy(\.isNaN))
        let ints = try Kernels.reduce(.max, Tensor(zeros: .int32, shape: [0]), axes: [0], keepDims: false)
        XCTAssertEqual(ints.scalars(as: Int32.self), [Int32.min])
    }

    func testLogSumExpIsStableForLargeValues() throws {
        let x = Tensor(shape: [2], scalars: [Float](arrayLiteral: 1000, 1000))
        let y = try Kernels.reduce(.logSumExp, x, axes: [0], keepDims: false).scalars(as: Float.self)
        XCTAssertEqual(y[0], 1000 + log(2), accuracy: 1e-3)
    }

    func testReduceMaxPropagatesNaNAndReducesBool() throws {
        let x = Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, .nan, 3))
        XCTAssertTrue(try Kernels.reduce(.max, x, axes: [0], keepDims: false).scalars(as: Float.self)[0].isNaN)
        let b = Tensor(shape: [2, 2], scalars: [true, false, true, true])
        XCTAssertEqual(try Kernels.reduce(.min, b, axes: [1], keepDims: false).scalars(as: Bool.self), [false, true])
    }

    func testSoftmaxHandlesMasksAndInnerAxes() throws {
        let masked = Tensor(shape: [3], scalars: [Float](arrayLiteral: 0, -1e9, -.infinity))
        XCTAssertEqual(try Kernels.softmax(masked, axis: 0).scalars(as: Float.self), [1, 0, 0])
        let y = try Kernels.softmax(x23, axis: 0).scalars(as: Float.self)
        let p = 1 / (1 + exp(Float(3)))
        for (value, expected) in zip(y, [p, p, p, 1 - p, 1 - p, 1 - p]) { XCTAssertEqual(value, expected, accuracy: 1e-6) }
        let logY = try Kernels.softmax(x23, axis: 1, log: true).scalars(as: Float.self)
        XCTAssertEqual(logY[2], -log(1 + exp(-1) + exp(-2)), accuracy: 1e-6)
    }

    func testLayerNormOverTrailingAxesByHand() throws {
        // axis 1 of [2, 2, 2]: each batch row of four is normalized. [2, 2, 4, 4] has mean 3 and
        // variance 1; [1, 5, 5, 1] mean 3 and variance 4 (σ 2): both become ±1 before scale/bias.
        let x = Tensor(shape: [2, 2, 2], scalars: [Float](arrayLiteral: 2, 2, 4, 4, 1, 5, 5, 1))
        let scale = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, 2, 3, 4))
        let bias = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 0, 0, 0, 10))
        let y = try Kernels.layerNorm(x, scale: scale, bias: bias, axis: 1, epsilon: 0)
        XCTAssertEqual(y.shape, [2, 2, 2])
        for (value, expected) in zip(y.scalars(as: Float.self), [Float](arrayLiteral: -1, -2, 3, 14, -1, 2, 3, 6)) {
            XCTAssertEqual(value, expected, accuracy: 1e-6)
        }
        // No bias, epsilon counted: [0, 2] has variance 1, so (x - 1) / sqrt(1 + 3).
        let noBias = try Kernels.layerNorm(Tensor(shape: [1, 2], scalars: [Float](arrayLiteral: 0, 2)),
                                           scale: Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 1)),
                                           bias: nil, axis: 1, epsilon: 3)
        XCTAssertEqual(noBias.scalars(as: Float.self), [-0.5, 0.5])
    }

    func testLayerNormStatisticsByHand() throws {
        // Rows [1, 3] (mean 2, variance 1) and [2, 6] (mean 4, variance 4), epsilon 0.
        let x = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, 3, 2, 6))
        let scale = Tensor(shape: [2], scalars: [Float](arrayLiteral: 2, 3))
        let bias = Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 0))
        let rows = try Kernels.layerNormWithStatistics(x, scale: scale, bias: bias, axis: 1, epsilon: 0)
        XCTAssertEqual(rows.y.scalars(as: Float.self), [-1, 3, -1, 3])
        XCTAssertEqual(rows.mean.shape, [2, 1])
        XCTAssertEqual(rows.mean.scalars(as: Float.self), [2, 4])
        XCTAssertEqual(rows.invStdDev.shape, [2, 1])
        XCTAssertEqual(rows.invStdDev.scalars(as: Float.self), [1, 0.5])
        let plain = try Kernels.layerNorm(x, scale: scale, bias: bias, axis: 1, epsilon: 0)
        XCTAssertEqual(plain.scalars(as: Float.self), rows.y.scalars(as: Float.self))

        // Axis 0 normalizes everything: mean 3, variance (4 + 0 + 1 + 9) / 4 = 3.5, plus epsilon 0.5.
        let half = try Kernels.cast(x, to: .float16)
        let whole = try Kernels.layerNormWithStatistics(half, scale: Tensor(scalar: Float16(1)), bias: nil, axis: 0,
                                                        epsilon: 0.5, statisticsDType: .float64)
        XCTAssertEqual(whole.y.dtype, .float16)
        XCTAssertEqual(whole.mean.shape, [1, 1])
        XCTAssertEqual(whole.mean.scalars(as: Double.self), [3])
        XCTAssertEqual(whole.invStdDev.scalars(as: Double.self)[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(whole.y.doubleValues(), [-1, 0, -0.5, 1.5])
        XCTAssertThrowsError(try Kernels.layerNormWithStatistics(x, scale: scale, bias: nil, axis: 1, epsilon: 0,
                                                                 statisticsDType: .int32))
    }

    func testInstanceNormAndLRNByHand() throws {
        let x = Tensor(shape: [1, 1, 2], scalars: [Float](arrayLiteral: 1, 3))
        let y = try Kernels.instanceNorm(x, scale: Tensor(shape: [1], scalars: [Float(2)]),
                                         bias: Tensor(shape: [1], scalars: [Float(1)]), epsilon: 0)
        XCTAssertEqual(y.scalars(as: Float.self), [-1, 3])
        let channels = Tensor(shape: [1, 2, 1], scalars: [Float](arrayLiteral: 1, 2))
        let lrn = try Kernels.lrn(channels, size: 2, alpha: 2, beta: 1, bias: 1).scalars(as: Float.self)
        // size 2: channel 0 sums channels 0...1 (1 + 4), channel 1 sums channel 1 only.
        XCTAssertEqual(lrn[0], 1 / (1 + 1 * 5), accuracy: 1e-6)
        XCTAssertEqual(lrn[1], 2 / (1 + 1 * 4), accuracy: 1e-6)
    }

    func testArgReduceTiesAndLastIndex() throws {
        let x = Tensor(shape: [2, 3], scalars: [Int32](arrayLiteral: 5, 1, 5, 0, 0, -1))
        XCTAssertEqual(try Kernels.argReduce(x, axis: 1, largest: true, keepDims: false, selectLastIndex: false).scalars(as: Int64.self), [0, 0])
        XCTAssertEqual(try Kernels.argReduce(x, axis: 1, largest: true, keepDims: false, selectLastIndex: true).scalars(as: Int64.self), [2, 1])
        let column = try Kernels.argReduce(x, axis: 0, largest: false, keepDims: true, selectLastIndex: false)
        XCTAssertEqual(column.shape, [1, 3])
        XCTAssertEqual(column.scalars(as: Int64.self), [1, 1, 1])
    }

    func testCumSumModes() throws {
        let x = Tensor(shape: [4], scalars: [Int64](arrayLiteral: 1, 2, 3, 4))
        XCTAssertEqual(try Kernels.cumSum(x, axis: 0, exclusive: false, reverse: false).scalars(as: Int64.self), [1, 3, 6, 10])
        XCTAssertEqual(try Kernels.cumSum(x, axis: 0, exclusive: true, reverse: false).scalars(as: Int64.self), [0, 1, 3, 6])
        XCTAssertEqual(try Kernels.cumSum(x, axis: 0, exclusive: true, reverse: true).scalars(as: Int64.self), [9, 7, 4, 0])
        let wrapped = try Kernels.cumSum(Tensor(shape: [2], scalars: [Int8](arrayLiteral: 100, 100)), axis: 0, exclusive: false, reverse: false)
        XCTAssertEqual(wrapped.scalars(as: Int8.self), [100, -56])
    }

    func testTopKOrdersTiesByIndex() throws {
        let x = Tensor(shape: [5], scalars: [Float](arrayLiteral: 2, 7, 2, .nan, 7))
        let largest = try Kernels.topK(x, k: 3, axis: 0, largest: true)
        XCTAssertEqual(largest.indices.scalars(as: Int64.self), [3, 1, 4])
        let smallest = try Kernels.topK(x, k: 2, axis: 0, largest: false)
        XCTAssertEqual(smallest.indices.scalars(as: Int64.self), [0, 2])
        XCTAssertEqual(smallest.values.scalars(as: Float.self), [2, 2])
        XCTAssertThrowsError(try Kernels.topK(x, k: 6, axis: 0, largest: true))
    }
}
