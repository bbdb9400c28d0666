// Pooling against a direct per-window loop written here, plus hand-checked ceil-mode and
// count_include_pad cases.

import EFCore
import EFKernels
import XCTest

final class PoolTests: XCTestCase {
    /// Visits every tap of every window, keeping those inside the input (and counting those
    /// inside the padded input for count_include_pad).
    private func naivePool(_ x: [Double], _ xShape: [Int], _ p: PoolParameters, outSpatial: [Int]) -> [Double] {
        let r = xShape.count - 2
        let strides = p.window.strides.isEmpty ? [Int](repeating: 1, count: r) : p.window.strides
        let dilations = p.window.dilations.isEmpty ? [Int](repeating: 1, count: r) : p.window.dilations
        let pads = p.window.pads.isEmpty ? [Int](repeating: 0, count: 2 * r) : p.window.pads
        let outShape = Array(xShape.prefix(2)) + outSpatial
        var out: [Double] = []
        for o in NaiveConv.indices(outShape) {
            var values: [Double] = []
            var paddedCount = 0
            for tap in NaiveConv.indices(p.kernel) {
                var position: [Int] = []
                var inPadded = true
                for a in 0..<r {
                    let at: Int = o[a + 2] * strides[a] - pads[a] + tap[a] * dilations[a]
                    position.append(at)
                    if at < -pads[a] || at >= xShape[a + 2] + pads[a + r] { inPadded = false }
                }
                if inPadded { paddedCount += 1 }
                if (0..<r).allSatisfy({ position[$0] >= 0 && position[$0] < xShape[$0 + 2] }) {
                    values.append(x[NaiveConv.flat([o[0], o[1]] + position, xShape)])
                }
            }
            switch p.kind {
            case .max: out.append(values.max() ?? -.infinity)
            case .avg: out.append(values.reduce(0, +) / Double(p.countIncludePad ? paddedCount : values.count))
            case .lp: out.append(Foundation.pow(values.reduce(0) { $0 + Foundation.pow(abs($1), p.p) }, 1 / p.p))
            }
        }
        return out
    }

    func testPoolMatchesDirectLoops() throws {
        let cases: [([Int], PoolParameters)] = [
            ([1, 2, 7], PoolParameters(kind: .max, kernel: [3], strides: [2], pads: [1, 1])),
            ([1, 2, 7], PoolParameters(kind: .avg, kernel: [3], strides: [2], pads: [1, 1], ceilMode: true)),
            ([2, 1, 6, 7], PoolParameters(kind: .max, kernel: [3, 2], strides: [2, 2], dilations: [2, 1], pads: [1, 0, 2, 1], ceilMode: true)),
            ([1, 2, 5, 5], PoolParameters(kind: .avg, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true)),
            ([1, 2, 5, 5], PoolParameters(kind: .avg, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, countIncludePad: true)),
            ([1, 2, 5, 6], PoolParameters(kind: .avg, kernel: [2, 3], strides: [1, 2], pads: [0, 1, 1, 0])),
            ([1, 1, 5, 5], PoolParameters(kind: .lp, kernel: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0], p: 3)),
            ([1, 2, 4, 4, 5], PoolParameters(kind: .max, kernel: [2, 2, 3], strides: [2, 1, 2], dilations: [1, 2, 1], pads: [0, 1, 1, 1, 0, 1])),
            ([1, 1, 4, 4, 5], PoolParameters(kind: .avg, kernel: [3, 2, 2], strides: [1, 2, 2], pads: [1, 0, 0, 1, 0, 1], ceilMode: true)),
        ]
        for (index, (shape, params)) in cases.enumerated() {
            let x = ConvTests.eighths(shape.reduce(1, *), seed: index)
            let result = try Kernels.pool(Tensor(shape: shape, scalars: x), params)
            let outSpatial = Array(result.shape.dropFirst(2))
            XCTAssertEqual(outSpatial, try Kernels.poolOutputSpatial(inputSpatial: Array(shape.dropFirst(2)), params))
            let expected = naivePool(x.map(Double.init), shape, params, outSpatial: outSpatial)
            let got = result.doubleValues()
            XCTAssertEqual(got.count, expected.count, "case \(index)")
            for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: 1e-5, "case \(index)") }
        }
    }

    func testCeilModeDropsWindowStartingInEndPadding() throws {
        // in 4, k 2, s 2, pads 0/1: ceil((4+1-2)/2)+1 = 3, but window 2 would start at 4 ≥ 4 + 0.
        let params = PoolParameters(kind: .max, kernel: [2], strides: [2], pads: [0, 1], ceilMode: true)
        XCTAssertEqual(try Kernels.poolOutputSpatial(inputSpatial: [4], params), [2])
        // in 5, k 2, s 2, no pads: ceil(3/2)+1 = 3; the last window holds only element 4.
        let x = Tensor(shape: [1, 1, 5], scalars: [Float](arrayLiteral: 1, 5, 2, 3, 4))
        let y = try Kernels.pool(x, PoolParameters(kind: .avg, kernel: [2], strides: [2], ceilMode: true))
        XCTAssertEqual(y.scalars(as: Float.self), [3, 2.5, 4])
    }

    func testMaxPoolOnUInt8AndRejectedDtypes() throws {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [UInt8](arrayLiteral: 3, 250, 7, 0))
        XCTAssertEqual(try Kernels.pool(x, PoolParameters(kind: .max, kernel: [2, 2])).scalars(as: UInt8.self), [250])
        XCTAssertThrowsError(try Kernels.pool(x, PoolParameters(kind: .avg, kernel: [2, 2])))
        XCTAssertThrowsError(try Kernels.pool(Tensor(zeros: .float32, shape: [1, 4]), PoolParameters(kind: .max, kernel: [2])))
    }

    func testMaxPoolIndicesByHand() throws {
        // Plane 0:  1 9 2 / 4 5 8 / 7 3 6; plane 1 is its negation. 2×2 windows, stride 1.
        let plane: [Float] = [1, 9, 2, 4, 5, 8, 7, 3, 6]
        let x = Tensor(shape: [1, 2, 3, 3], scalars: plane + plane.map { -$0 })
        let params = PoolParameters(kind: .max, kernel: [2, 2])
        let rowMajor = try Kernels.maxPoolWithIndices(x, params)
        XCTAssertEqual(rowMajor.values.scalars(as: Float.self), [9, 9, 7, 8, -1, -2, -3, -3])
        XCTAssertEqual(rowMajor.indices.dtype, .int64)
        XCTAssertEqual(rowMajor.indices.shape, [1, 2, 2, 2])
        // (0,1) → 1, (2,0) → 6, (1,2) → 5; plane 1 adds 9: (0,0), (0,2), (2,1), (2,1).
        XCTAssertEqual(rowMajor.indices.scalars(as: Int64.self), [1, 1, 6, 5, 9, 11, 16, 16])
        // Column-major spatial offset h + w·3: (0,1) → 3, (2,0) → 2, (1,2) → 7, (0,2) → 6, (2,1) → 5.
        let columnMajor = try Kernels.maxPoolWithIndices(x, params, columnMajor: true)
        XCTAssertEqual(columnMajor.indices.scalars(as: Int64.self), [3, 3, 2, 7, 9, 15, 14, 14])
    }

    func testMaxPoolIndicesSkipPaddingAndKeepFirstTie() throws {
        // [2, 2, 1] padded by one on each side, windows of 2: [pad 2] [2 2] [2 1] [1 pad].
        let x = Tensor(shape: [1, 1, 1, 3], scalars: [Float](arrayLiteral: 2, 2, 1))
        let result = try Kernels.maxPoolWithIndices(x, PoolParameters(kind: .max, kernel: [1, 2], pads: [0, 1, 0, 1]))
        XCTAssertEqual(result.values.scalars(as: Float.self), [2, 2, 2, 1])
        XCTAssertEqual(result.indices.scalars(as: Int64.self), [0, 0, 1, 2])
        // 3-D: the maximum at (d, h, w) = (1, 1, 0) is 6 row-major, 1 + 1·2 + 0·4 = 3 column-major.
        var cube = [Float](repeating: 0, count: 8)
        cube[6] = 100
        let volume = Tensor(shape: [1, 1, 2, 2, 2], scalars: cube)
        let params = PoolParameters(kind: .max, kernel: [2, 2, 2])
        XCTAssertEqual(try Kernels.maxPoolWithIndices(volume, params).indices.scalars(as: Int64.self), [6])
        XCTAssertEqual(try Kernels.maxPoolWithIndices(volume, params, columnMajor: true).indices.scalars(as: Int64.self), [3])
    }

    func testMaxPoolIndicesAgreeWithPool() throws {
        let cases: [([Int], PoolParameters)] = [
            ([1, 2, 7], PoolParameters(kind: .max, kernel: [3], strides: [2], pads: [1, 1], ceilMode: true)),
            ([2, 1, 6, 7], PoolParameters(kind: .max, kernel: [3, 2], strides: [2, 2], dilations: [2, 1], pads: [1, 0, 2, 1])),
            ([1, 2, 4, 4, 5], PoolParameters(kind: .max, kernel: [2, 2, 3], strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 1])),
        ]
        for (index, (shape, params)) in cases.enumerated() {
            let x = Tensor(shape: shape, scalars: ConvTests.eighths(shape.reduce(1, *), seed: index))
            let result = try Kernels.maxPoolWithIndices(x, params)
            let values = result.values.scalars(as: Float.self)
            XCTAssertEqual(values, try Kernels.pool(x, params).scalars(as: Float.self), "case \(index)")
            let flat = x.scalars(as: Float.self)
            XCTAssertEqual(result.indices.scalars(as: Int64.self).map { flat[Int($0)] }, values, "case \(index)")
        }
    }
}
