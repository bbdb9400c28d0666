// The namespace of the fast float32 kernels, and the vector plumbing they share: 8-lane
// loads and stores (whole and partial, for tails), Swift's min/max semantics on vectors, and a
// parallel chunked map. Kernels here work on caller-provided buffers, allocate no buffers of
// their own (scratch rows live on the stack), and run on plain x86-64 (generic SIMD types only;
// no -target-cpu).

import EFCore

/// Fast float32 kernels over raw buffers, beside the reference `Kernels`. Each family has a
/// `supports…` test; the runtime falls back to `Kernels` when it returns false.
public enum FastKernels {}

/// The vector every fast kernel computes in: 8 float lanes (two SSE registers on baseline
/// x86-64, one AVX register where LLVM may use it).
typealias FloatVector = SIMD8<Float>

extension FastKernels {
    /// Elements per parallel chunk of a streaming elementwise loop (64 KiB of float32).
    static let streamingGrain = 16_384

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    static func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
    }

    /// The first `count` (< 8) elements at `p`, other lanes `fill`.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> FloatVector {
        var v = FloatVector(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` (< 8) lanes of `v` at `p`.
    @inline(__always)
    static func storePartial(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// Lane-wise `Swift.min(a, b)` (`b < a ? b : a`), NaN behaviour included.
    @inline(__always)
    static func swiftMin(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a.replacing(with: b, where: b .< a) }

    /// Lane-wise `Swift.max(a, b)` (`b >= a ? b : a`), NaN behaviour included.
    @inline(__always)
    static func swiftMax(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a.replacing(with: b, where: b .>= a) }

    /// Lane-wise maximum that propagates NaN from either side.
    @inline(__always)
    static func nanMax(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: (b .> a) .| (b .!= b))
    }

    /// Calls `body(start, end)` over parallel chunks of 0..<count whose bounds are multiples of 8
    /// (except the last end). Kernels switch on their function inside `body` and loop over lanes
    /// with the function's code inlined (a closure captured by the chunk body would be called
    /// indirectly per vector).
    @inline(__always)
    static func forEachVectorChunk(_ count: Int, _ body: (Int, Int) -> Void) {
        let blocks = (count + 7) / 8
        Parallel.forEachChunk(blocks, grain: streamingGrain / 8) { range in
            body(range.lowerBound * 8, Swift.min(range.upperBound * 8, count))
        }
    }
}
