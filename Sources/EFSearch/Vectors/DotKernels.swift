// The inner products behind the vector scan, in Swift SIMD: four rows at a time against one
// query, so each 16-element slice of the query is loaded once for four rows. The fp32 kernels
// sum in one fixed order whether a row is scored alone or in a group of four, so a row's score
// never depends on how the scan split the table (thread count, mask, candidate list).

@inline(__always)
private func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func load16(_ pointer: UnsafePointer<Int8>) -> SIMD16<Int32> {
    SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Int8>.self))
}

/// The sum of 16 lanes as a fixed pairwise tree (the same wherever it is inlined).
@inline(__always)
private func reduce(_ v: SIMD16<Float>) -> Float {
    let v8 = v.lowHalf + v.highHalf
    let v4 = v8.lowHalf + v8.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    return v2[0] + v2[1]
}

@inline(__always)
private func reduce(_ v: SIMD16<Int32>) -> Int32 {
    let v8 = v.lowHalf &+ v.highHalf
    let v4 = v8.lowHalf &+ v8.highHalf
    let v2 = v4.lowHalf &+ v4.highHalf
    return v2[0] &+ v2[1]
}

/// Dot products of fp32 rows with a query of `dimension` elements.
struct FloatDot {
    let query: UnsafePointer<Float>
    let dimension: Int

    /// `query · row`.
    @inline(__always)
    func score(_ row: UnsafePointer<Float>) -> Float {
        let body = dimension & ~15
        var a = SIMD16<Float>()
        var i = 0
        while i < body {
            a += load16(query + i) * load16(row + i)
            i += 16
        }
        var s = reduce(a)
        while i < dimension {
            s += query[i] * row[i]
            i += 1
        }
        return s
    }

    /// `query · r` for four rows, each summed exactly as `score(_:)` sums it.
    @inline(__always)
    func score4(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>,
                _ r2: UnsafePointer<Float>, _ r3: UnsafePointer<Float>) -> SIMD4<Float> {
        let body = dimension & ~15
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var i = 0
        while i < body {
            let q = load16(query + i)
            a0 += q * load16(r0 + i)
            a1 += q * load16(r1 + i)
            a2 += q * load16(r2 + i)
            a3 += q * load16(r3 + i)
            i += 16
        }
        var s = SIMD4<Float>(reduce(a0), reduce(a1), reduce(a2), reduce(a3))
        while i < dimension {
            let q = query[i]
            s += SIMD4(q * r0[i], q * r1[i], q * r2[i], q * r3[i])
            i += 1
        }
        return s
    }
}

/// Integer dot products of int8 rows with an int8 query of `dimension` elements, accumulated
/// in Int32: |sum| ≤ 127² × 65536 < 2³¹, so wrapping arithmetic never wraps.
struct Int8Dot {
    let query: UnsafePointer<Int8>
    let dimension: Int

    @inline(__always)
    func score(_ row: UnsafePointer<Int8>) -> Int32 {
        let body = dimension & ~15
        var a = SIMD16<Int32>()
        var i = 0
        while i < body {
            a &+= load16(query + i) &* load16(row + i)
            i += 16
        }
        var s = reduce(a)
        while i < dimension {
            s &+= Int32(query[i]) &* Int32(row[i])
            i += 1
        }
        return s
    }

    @inline(__always)
    func score4(_ r0: UnsafePointer<Int8>, _ r1: UnsafePointer<Int8>,
                _ r2: UnsafePointer<Int8>, _ r3: UnsafePointer<Int8>) -> SIMD4<Int32> {
        let body = dimension & ~15
        var a0 = SIMD16<Int32>(), a1 = SIMD16<Int32>(), a2 = SIMD16<Int32>(), a3 = SIMD16<Int32>()
        var i = 0
        while i < body {
            let q = load16(query + i)
            a0 &+= q &* load16(r0 + i)
            a1 &+= q &* load16(r1 + i)
            a2 &+= q &* load16(r2 + i)
            a3 &+= q &* load16(r3 + i)
            i += 16
        }
        var s = SIMD4<Int32>(reduce(a0), reduce(a1), reduce(a2), reduce(a3))
        while i < dimension {
            let q = Int32(query[i])
            s &+= SIMD4(q &* Int32(r0[i]), q &* Int32(r1[i]), q &* Int32(r2[i]), q &* Int32(r3[i]))
            i += 1
        }
        return s
    }
}
