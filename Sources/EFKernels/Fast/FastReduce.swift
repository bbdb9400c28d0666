// Fast float32 reductions (sum, mean, max, min) over the middle axis of an
// [outer, reduced, inner] buffer: 8-lane accumulators along a contiguous row when inner == 1,
// otherwise whole inner rows folded into the output as vectors. For SE blocks, global pooling
// and pooling-like reductions.

import EFCore

/// The reductions `FastKernels.reduce` implements.
public enum FastReduction: String, Sendable {
    case sum, mean, max, min

    /// The fast form of a reference reduction, or nil when there is none.
    public init?(_ fn: ReduceFunction) {
        switch fn {
        case .sum: self = .sum
        case .mean: self = .mean
        case .max: self = .max
        case .min: self = .min
        default: return nil
        }
    }
}

extension FastKernels {
    /// output[o, i] = fn over r of input[o, r, i] for the [outer, reduced, inner] view (float32),
    /// output [outer, inner] (distinct from input). As `Kernels.reduce`: max/min propagate NaN;
    /// an empty reduction gives 0 (sum), NaN (mean), -inf (max), +inf (min). Sums accumulate in
    /// float32 (the reference uses float64): within 1e-6 · max(1, |y|) · log2(reduced) of it
    /// for data of unit scale; max/min are exact.
    public static func reduce(_ fn: FastReduction, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              outer: Int, reduced: Int, inner: Int) {
        guard outer > 0, inner > 0 else { return }
        let identity: Float = fn == .max ? -.infinity : (fn == .min ? .infinity : 0)
        @inline(__always) func fold(_ acc: FloatVector, _ v: FloatVector) -> FloatVector {
            switch fn {
            case .max: return acc.replacing(with: v, where: (v .> acc) .| (v .!= v))
            case .min: return acc.replacing(with: v, where: (v .< acc) .| (v .!= v))
            default: return acc + v
            }
        }
        let scale: Float = fn == .mean ? 1 / Float(reduced) : 1
        if inner == 1 {
            Parallel.forEachChunk(outer, grain: Swift.max(1, streamingGrain / Swift.max(reduced, 1))) { range in
                for o in range {
                    let p = input + o * reduced, full = reduced & ~7
                    var acc = FloatVector(repeating: identity)
                    var r = 0
                    while r < full { acc = fold(acc, load(p + r)); r += 8 }
                    if r < reduced { acc = fold(acc, loadPartial(p + r, reduced - r, fill: identity)) }
                    var result = acc[0]
                    for lane in 1..<8 { result = fold(FloatVector(repeating: result), FloatVector(repeating: acc[lane]))[0] }
                    output[o] = fn == .mean ? Float(Double(acc.sum()) / Double(reduced)) : result
                }
            }
            return
        }
        let span = 512, pieces = (inner + span - 1) / span
        Parallel.forEachChunk(outer * pieces, grain: Swift.max(1, streamingGrain / (Swift.max(reduced, 1) * Swift.min(inner, span)))) { range in
            for item in range {
                let o = item / pieces, first = (item % pieces) * span, n = Swift.min(span, inner - first)
                let dst = output + o * inner + first, full = n & ~7
                dst.update(repeating: identity, count: n)
                for r in 0..<reduced {
                    let p = input + (o * reduced + r) * inner + first
                    var k = 0
                    while k < full { store(fold(load(dst + k), load(p + k)), dst + k); k += 8 }
                    if k < n { storePartial(fold(loadPartial(dst + k, n - k), loadPartial(p + k, n - k)), dst + k, n - k) }
                }
                if fn == .mean { for k in 0..<n { dst[k] = reduced == 0 ? .nan : dst[k] * scale } }
            }
        }
    }
}
