// The vector scan's block kernels dispatched to the widest SIMD build the CPU runs
// (`SIMDBuild.current`: EFKernelsAVX512, EFKernelsAVX2 or the baseline EFKernels). Every build
// compiles the same FastRowDot.swift, so the scores are the same bytes whichever runs.

import EFKernels
import EFKernelsAVX2
import EFKernelsAVX512

enum WideRowDots {
    /// `scores[i] = query · rows[i]` for `count` consecutive fp32 rows.
    static func floats(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, count: Int, dimension: Int,
                       into scores: UnsafeMutablePointer<Float>) {
        switch SIMDBuild.current {
        case .avx512:
            EFKernelsAVX512.FastKernels.rowDots(query: query, rows: rows, count: count, dimension: dimension,
                                                into: scores)
        case .avx2:
            EFKernelsAVX2.FastKernels.rowDots(query: query, rows: rows, count: count, dimension: dimension,
                                              into: scores)
        case .baseline:
            EFKernels.FastKernels.rowDots(query: query, rows: rows, count: count, dimension: dimension, into: scores)
        }
    }

    /// `sums[i] = query · rows[i]` in Int32 for `count` consecutive int8 rows; `pairs` is the
    /// query laid out by `Int8Dot.layOutPairs`.
    static func int8(query: UnsafePointer<Int8>, pairs: UnsafePointer<Int32>, rows: UnsafePointer<Int8>, count: Int,
                     dimension: Int, into sums: UnsafeMutablePointer<Int32>) {
        switch SIMDBuild.current {
        case .avx512:
            EFKernelsAVX512.FastKernels.rowDotsInt8(query: query, pairs: pairs, rows: rows, count: count,
                                                    dimension: dimension, into: sums)
        case .avx2:
            EFKernelsAVX2.FastKernels.rowDotsInt8(query: query, pairs: pairs, rows: rows, count: count,
                                                  dimension: dimension, into: sums)
        case .baseline:
            EFKernels.FastKernels.rowDotsInt8(query: query, pairs: pairs, rows: rows, count: count,
                                              dimension: dimension, into: sums)
        }
    }
}
