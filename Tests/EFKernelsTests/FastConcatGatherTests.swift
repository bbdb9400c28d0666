// FastKernels.concat and gather against Kernels.concat and Kernels.gather (bit-identical),
// including negative indices, out-of-range rejection and several axes, on 1 and 2 threads.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastConcatGatherTests: XCTestCase {
    static func tensor(_ shape: [Int], seed: Int) -> Tensor {
        Tensor(shape: shape, scalars: FastNormalizationTests.values(shape.reduce(1, *), seed: seed))
    }

    func testConcatMatchesReference() throws {
        let cases: [([[Int]], Int)] = [([[2, 3, 4], [2, 5, 4], [2, 1, 4]], 1), ([[3, 7], [3, 9]], 1), ([[2, 3], [4, 3]], 0),
                                       ([[1, 16, 5, 5], [1, 8, 5, 5]], 1), ([[2, 3, 5, 1], [2, 3, 5, 2]], 3),
                                       ([[1, 197, 768], [1, 1, 768]], 1)]
        try forEachThreadCount {
            for (index, (shapes, axis)) in cases.enumerated() {
                let inputs = shapes.enumerated().map { Self.tensor($0.element, seed: index * 10 + $0.offset) }
                let reference = try Kernels.concat(inputs, axis: axis)
                let outer = shapes[0][..<axis].reduce(1, *)
                let arrays = inputs.map { $0.scalars(as: Float.self) }
                var out = [Float](repeating: .nan, count: reference.count)
                let pointers = arrays.map { array -> UnsafeMutablePointer<Float> in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: array.count)
                    p.initialize(from: array, count: array.count)
                    return p
                }
                defer { pointers.forEach { $0.deallocate() } }
                try out.withUnsafeMutableBytes {
                    try FastKernels.concat(inputs: pointers.map { UnsafeRawPointer($0) },
                                           chunkBytes: shapes.map { $0[axis...].reduce(1, *) * 4 }, outer: outer,
                                           output: $0.baseAddress!)
                }
                XCTAssertEqual(out.map(\.bitPattern), reference.scalars(as: Float.self).map(\.bitPattern), "\(shapes) axis \(axis)")
            }
        }
        var scratch: Float = 0
        XCTAssertThrowsError(try withUnsafeMutableBytes(of: &scratch) {
            try FastKernels.concat(inputs: [], chunkBytes: [4], outer: 1, output: $0.baseAddress!)
        })
    }

    func testGatherMatchesReference() throws {
        let cases: [([Int], Int, [Int64])] = [([10, 7], 0, [3, -1, 0, 9, -10, 3]), ([4, 6, 5], 1, [5, -6, 2]),
                                               ([3, 8], 1, [7, 0, -3]), ([1000, 64], 0, (0..<700).map { Int64($0 * 37 % 1000) - 500 })]
        try forEachThreadCount {
            for (index, (shape, axis, indices)) in cases.enumerated() {
                let data = Self.tensor(shape, seed: index)
                let reference = try Kernels.gather(data, indices: Tensor(shape: [indices.count], scalars: indices), axis: axis)
                var out = [Float](repeating: .nan, count: reference.count)
                let values = data.scalars(as: Float.self)
                try out.withUnsafeMutableBytes { dst in
                    try values.withUnsafeBytes { src in
                        try FastKernels.gather(input: src.baseAddress!, outer: shape[..<axis].reduce(1, *), axisLength: shape[axis],
                                               innerBytes: shape[(axis + 1)...].reduce(1, *) * 4, indices: indices,
                                               indexCount: indices.count, output: dst.baseAddress!)
                    }
                }
                XCTAssertEqual(out.map(\.bitPattern), reference.scalars(as: Float.self).map(\.bitPattern), "\(shape) axis \(axis)")
            }
        }
        var out = [Float](repeating: 0, count: 4)
        for bad: [Int64] in [[0, 2], [-3]] {
            XCTAssertThrowsError(try out.withUnsafeMutableBytes { dst in
                try [Float](repeating: 1, count: 4).withUnsafeBytes { src in
                    try FastKernels.gather(input: src.baseAddress!, outer: 1, axisLength: 2, innerBytes: 8, indices: bad,
                                           indexCount: bad.count, output: dst.baseAddress!)
                }
            })
        }
    }
}
