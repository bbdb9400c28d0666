// The vector scan's block kernels (FastRowDot.swift) in the AVX2 and AVX-512 builds against the
// baseline build, bit for bit, for fp32 and int8 rows over dimensions with and without a tail
// and row counts with and without a group-of-four tail; and against a double-precision sum.
// A build the CPU cannot run is skipped, with the missing flags named.

import EFCore
import EFKernels
import EFKernelsAVX2
import EFKernelsAVX512
import XCTest

final class WideRowDotsTests: XCTestCase {
    private typealias FloatKernel = (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int,
                                     UnsafeMutablePointer<Float>) -> Void
    private typealias Int8Kernel = (UnsafePointer<Int8>, UnsafePointer<Int32>, UnsafePointer<Int8>, Int, Int,
                                    UnsafeMutablePointer<Int32>) -> Void

    private let builds: [(name: String, features: [String], floats: FloatKernel, int8: Int8Kernel)] = [
        ("avx2", CPUFeatures.haswellFlags,
         { EFKernelsAVX2.FastKernels.rowDots(query: $0, rows: $1, count: $2, dimension: $3, into: $4) },
         { EFKernelsAVX2.FastKernels.rowDotsInt8(query: $0, pairs: $1, rows: $2, count: $3, dimension: $4,
                                                 into: $5) }),
        ("avx512", CPUFeatures.skylakeAVX512Flags,
         { EFKernelsAVX512.FastKernels.rowDots(query: $0, rows: $1, count: $2, dimension: $3, into: $4) },
         { EFKernelsAVX512.FastKernels.rowDotsInt8(query: $0, pairs: $1, rows: $2, count: $3, dimension: $4,
                                                   into: $5) }),
    ]

    func testEveryBuildGivesTheBaselineBits() throws {
        var ran = 0
        for build in builds {
            let missing = CPUFeatures.current.missing(build.features)
            guard missing.isEmpty else { continue }  // reported below when nothing ran
            ran += 1
            for dimension in [1, 7, 16, 64, 100, 512, 515] {
                for count in [1, 4, 9] {
                    let query = (0..<dimension).map { Float(sin(Double($0) * 0.7)) }
                    let rows = (0..<(count * dimension)).map { Float(cos(Double($0) * 0.31)) * 0.5 }
                    var expected = [Float](repeating: 0, count: count), actual = expected
                    EFKernels.FastKernels.rowDots(query: query, rows: rows, count: count, dimension: dimension,
                                                  into: &expected)
                    build.floats(query, rows, count, dimension, &actual)
                    XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), "\(build.name) d\(dimension)")
                    for row in 0..<count {
                        let exact = (0..<dimension).reduce(0.0) {
                            $0 + Double(query[$1]) * Double(rows[row * dimension + $1])
                        }
                        XCTAssertEqual(Double(expected[row]), exact, accuracy: 1e-4 * Double(dimension))
                    }
                    // Codes over the whole int8 range, -128 and 127 included, in every byte position.
                    let codes = (0..<dimension).map { Int8(truncatingIfNeeded: $0 * 37 - 100) }
                    let rowCodes = (0..<(count * dimension)).map { Int8(truncatingIfNeeded: $0 * 11 + 5) }
                    var pairs = [Int32](repeating: 0, count: EFKernels.Int8Dot.pairCount(dimension: dimension))
                    EFKernels.Int8Dot.layOutPairs(query: codes, dimension: dimension, into: &pairs)
                    var sums = [Int32](repeating: 0, count: count), wide = sums
                    EFKernels.FastKernels.rowDotsInt8(query: codes, pairs: pairs, rows: rowCodes, count: count,
                                                      dimension: dimension, into: &sums)
                    build.int8(codes, pairs, rowCodes, count, dimension, &wide)
                    XCTAssertEqual(wide, sums, "\(build.name) int8 d\(dimension)")
                    let exact = (0..<count).map { row in
                        (0..<dimension).reduce(Int32(0)) {
                            $0 + Int32(codes[$1]) * Int32(rowCodes[row * dimension + $1])
                        }
                    }
                    XCTAssertEqual(sums, exact)
                }
            }
        }
        if ran == 0 { throw XCTSkip("this CPU runs neither the AVX2 nor the AVX-512 build") }
    }
}
