// FastKernels.transpose against Kernels.transpose, bit for bit: every permutation of a rank-4
// shape, rank-6 permutations, 2-D and batched 2-D tiles with partial tiles, 1/2/4/8-byte and
// odd (3-byte) elements, on 1 and 2 threads.

import EFCore
import EFKernels
import EFTestSupport
import XCTest

final class FastTransposeTests: XCTestCase {
    static func permutations(_ n: Int) -> [[Int]] {
        guard n > 0 else { return [[]] }
        return permutations(n - 1).flatMap { p in (0...p.count).map { var q = p; q.insert(n - 1, at: $0); return q } }
    }

    /// Transposes `x` with the fast kernel and checks the bytes against the reference.
    func check(_ x: Tensor, _ perm: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try Kernels.transpose(x, perm: perm)
        let size = x.dtype.byteSize
        var bytes = [UInt8](repeating: 0, count: x.count * size)
        let source = Self.bytes(of: x)
        try source.withUnsafeBytes { src in
            try bytes.withUnsafeMutableBytes { dst in
                try FastKernels.transpose(input: src.baseAddress!, output: dst.baseAddress!, shape: x.shape, perm: perm,
                                          elementSize: size)
            }
        }
        XCTAssertEqual(bytes, Self.bytes(of: reference), "\(x.dtype) \(x.shape) perm \(perm)", file: file, line: line)
    }

    static func bytes(of t: Tensor) -> [UInt8] {
        switch t.dtype.byteSize {
        case 1: return t.dtype == .int8 ? t.scalars(as: Int8.self).map { UInt8(bitPattern: $0) } : t.scalars(as: UInt8.self)
        case 2: return t.scalars(as: Int16.self).flatMap { v in withUnsafeBytes(of: v) { Array($0) } }
        case 4: return t.scalars(as: Float.self).flatMap { v in withUnsafeBytes(of: v) { Array($0) } }
        default: return t.scalars(as: Int64.self).flatMap { v in withUnsafeBytes(of: v) { Array($0) } }
        }
    }

    static func floats(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0) * 0.5 - 3 })
    }

    func testEveryRank4PermutationAndTiles() throws {
        var cases: [([Int], [Int])] = Self.permutations(4).map { ([2, 3, 5, 7], $0) }
        cases += [([33, 35], [1, 0]), ([2, 17, 19], [0, 2, 1]), ([1, 16, 9, 9], [0, 2, 3, 1]), ([2, 9, 9, 20], [0, 3, 1, 2]),
                  ([2, 5, 3, 8], [0, 2, 1, 3]), ([3, 1, 4, 1, 5, 2], [5, 3, 1, 0, 2, 4]), ([2, 3, 2, 3, 2, 3], [1, 0, 3, 5, 4, 2]),
                  ([4, 5, 6], [0, 1, 2]), ([7], [0]), ([], []), ([3, 0, 2], [2, 1, 0]), ([70, 300], [1, 0])]
        if TestData.isOptimizedBuild {
            cases += [([1, 64, 56, 56], [0, 2, 3, 1]), ([1, 56, 56, 64], [0, 3, 1, 2]), ([8, 50, 12, 64], [0, 2, 1, 3]),
                      ([8, 12, 50, 64], [0, 1, 3, 2])]
        }
        try forEachThreadCount {
            for (shape, perm) in cases { try check(Self.floats(shape), perm) }
        }
    }

    func testOtherElementSizes() throws {
        let shape = [3, 4, 5, 2], perm = [2, 0, 3, 1], count = 120
        try check(Tensor(shape: shape, scalars: (0..<count).map { Int8(truncatingIfNeeded: $0) }), perm)
        try check(Tensor(shape: shape, scalars: (0..<count).map { Int16(truncatingIfNeeded: $0 * 300) }), perm)
        try check(Tensor(shape: shape, scalars: (0..<count).map { Int64($0) << 33 }), perm)
        // 3-byte elements: compare with the byte tensor transposed with a trailing element dim.
        let raw = (0..<count * 3).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let reference = try Kernels.transpose(Tensor(shape: shape + [3], scalars: raw), perm: perm + [4])
        var out = [UInt8](repeating: 0, count: raw.count)
        try out.withUnsafeMutableBytes { dst in
            try raw.withUnsafeBytes { src in
                try FastKernels.transpose(input: src.baseAddress!, output: dst.baseAddress!, shape: shape, perm: perm,
                                          elementSize: 3)
            }
        }
        XCTAssertEqual(out, reference.scalars(as: UInt8.self))
    }

    func testRejectsBadPermutations() {
        XCTAssertThrowsError(try FastKernels.TransposePlan(shape: [2, 3], perm: [0, 0], elementSize: 4))
        XCTAssertThrowsError(try FastKernels.TransposePlan(shape: [2, 3], perm: [1, 0], elementSize: 0))
    }
}
