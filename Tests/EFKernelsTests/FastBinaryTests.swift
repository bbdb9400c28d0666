// FastKernels.binary against Kernels.binary: bit-identical over same-shape, scalar, leading-,
// trailing- and general broadcasts (sizes with partial vector tails), on 1 and 2 threads,
// out of place and in place.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastBinaryTests: XCTestCase {
    /// Values with negatives, zeros of both signs, NaN and infinities mixed in.
    static func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { i in
            let k = (i * 7919 + seed * 104_729) % 1009
            switch k % 97 {
            case 0: return .nan
            case 1: return .infinity
            case 2: return -0.0
            case 3: return 0
            default: return Float(k - 504) / 64
            }
        }
    }

    static let shapePairs: [([Int], [Int])] = {
        var pairs: [([Int], [Int])] = [
            ([37, 19], [37, 19]), ([37, 19], []), ([], [5, 3]), ([37, 19], [1]), ([2, 5, 3, 7], [1, 5, 1, 1]),
            ([2, 3, 4, 9], [9]), ([17, 33], [33]), ([33], [17, 33]), ([5, 1, 7], [1, 6, 1]), ([4, 1], [1, 5]),
            ([3, 1, 4, 1], [2, 1, 5]), ([1, 5, 1, 1], [2, 5, 3, 7]), ([3, 16, 29, 31], [1, 16, 1, 1]),
            ([3, 29, 31, 16], [16]), ([2, 0, 3], [3]),
        ]
        if TestData.isOptimizedBuild {
            pairs += [([2, 64, 56, 56], [1, 64, 1, 1]), ([197, 768], [768]), ([1, 96, 80, 80], [1, 96, 80, 80]),
                      ([8, 12, 50, 50], [8, 1, 1, 50])]
        }
        return pairs
    }()

    func testMatchesReferenceBitForBit() throws {
        let functions: [BinaryFunction] = [.add, .sub, .mul, .div, .max, .min, .pow, .prelu]
        XCTAssertTrue(functions.allSatisfy(FastKernels.supportsBinary))
        try forEachThreadCount {
            for (index, (aShape, bShape)) in Self.shapePairs.enumerated() {
                let a = Self.values(aShape.reduce(1, *), seed: index)
                var b = Self.values(bShape.reduce(1, *), seed: index + 50)
                let outShape = try broadcastShapes(aShape, bShape)
                for fn in functions {
                    if fn == .pow && index % 2 == 0 { b = b.map { $0 == $0 ? 2 : $0 } }  // the x·x path
                    let reference = try Kernels.binary(fn, Tensor(shape: aShape, scalars: a), Tensor(shape: bShape, scalars: b))
                        .scalars(as: Float.self)
                    var out = [Float](repeating: 0, count: reference.count)
                    try out.withUnsafeMutableBufferPointer { dst in
                        try FastKernels.binary(fn, a: a, aShape: aShape, b: b, bShape: bShape,
                                               output: dst.baseAddress!, outputShape: outShape)
                    }
                    XCTAssertTrue(Self.sameBits(out, reference), "\(fn) \(aShape) × \(bShape)")
                    if aShape == outShape {
                        var inPlace = a
                        let plan = try FastKernels.BinaryPlan(fn, aShape: aShape, bShape: bShape, outputShape: outShape)
                        inPlace.withUnsafeMutableBufferPointer { buffer in
                            b.withUnsafeBufferPointer {
                                plan.run(a: UnsafePointer(buffer.baseAddress!), b: $0.baseAddress!, output: buffer.baseAddress!)
                            }
                        }
                        XCTAssertTrue(Self.sameBits(inPlace, reference), "in place \(fn) \(aShape) × \(bShape)")
                    }
                }
            }
        }
    }

    /// Equal bit patterns, or both NaN.
    static func sameBits(_ x: [Float], _ y: [Float]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || $0.isNaN && $1.isNaN }
    }

    func testRejectsShapesThatDoNotBroadcastAndUnsupportedFunctions() {
        XCTAssertThrowsError(try FastKernels.BinaryPlan(.add, aShape: [3, 4], bShape: [5], outputShape: [3, 4]))
        XCTAssertThrowsError(try FastKernels.BinaryPlan(.add, aShape: [3, 4], bShape: [4], outputShape: [3, 5]))
        XCTAssertThrowsError(try FastKernels.BinaryPlan(.mod, aShape: [3], bShape: [3], outputShape: [3]))
    }
}
