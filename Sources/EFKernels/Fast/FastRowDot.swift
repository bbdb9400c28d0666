// The inner products behind EFSearch's vector scan, in Swift SIMD: four rows at a time against
// one query, so each slice of the query is loaded once for four rows (SIMD8 fp32 accumulators:
// four rows fit the 16 SSE registers of the baseline build without spilling). The fp32 kernels
// sum in one fixed order whether a row is scored alone or in a group of four, so a row's score
// never depends on how the scan split the table, nor on the build (EFKernelsAVX2/AVX512 compile
// this file again; `rowDots` is what the scan calls through `SIMDBuild.current`).

@inline(__always)
private func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func load16(_ pointer: UnsafePointer<Int8>) -> SIMD16<Int16> {
    SIMD16<Int16>(truncatingIfNeeded: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Int8>.self))
}

/// `a[2i] * b[2i] + a[2i+1] * b[2i+1]` in Int32 for int8-range values (products fit Int16).
@inline(__always)
private func multiplyAddPairs(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
    let p = a &* b
    return SIMD8<Int32>(truncatingIfNeeded: p.evenHalf) &+ SIMD8<Int32>(truncatingIfNeeded: p.oddHalf)
}

/// The sum of 8 lanes as a fixed pairwise tree (the same wherever it is inlined).
@inline(__always)
private func reduce(_ v: SIMD8<Float>) -> Float {
    let v4 = v.lowHalf + v.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    return v2[0] + v2[1]
}

@inline(__always)
private func reduce(_ v: SIMD8<Int32>) -> Int32 {
    let v4 = v.lowHalf &+ v.highHalf
    let v2 = v4.lowHalf &+ v4.highHalf
    return v2[0] &+ v2[1]
}

/// Dot products of fp32 rows with a query of `dimension` elements.
public struct FloatDot {
    public let query: UnsafePointer<Float>
    public let dimension: Int

    public init(query: UnsafePointer<Float>, dimension: Int) {
        self.query = query
        self.dimension = dimension
    }

    /// `query · row`.
    @inline(__always)
    public func score(_ row: UnsafePointer<Float>) -> Float {
        let body = dimension & ~7
        var a = SIMD8<Float>()
        var i = 0
        while i < body {
            a += load8(query + i) * load8(row + i)
            i += 8
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
    public func score4(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>,
                _ r2: UnsafePointer<Float>, _ r3: UnsafePointer<Float>) -> SIMD4<Float> {
        let body = dimension & ~7
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i < body {
            let q = load8(query + i)
            a0 += q * load8(r0 + i)
            a1 += q * load8(r1 + i)
            a2 += q * load8(r2 + i)
            a3 += q * load8(r3 + i)
            i += 8
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
public struct Int8Dot {
    public let query: UnsafePointer<Int8>
    public let dimension: Int

    public init(query: UnsafePointer<Int8>, dimension: Int) {
        self.query = query
        self.dimension = dimension
    }

    @inline(__always)
    public func score(_ row: UnsafePointer<Int8>) -> Int32 {
        let body = dimension & ~15
        var a = SIMD8<Int32>()
        var i = 0
        while i < body {
            a &+= multiplyAddPairs(load16(query + i), load16(row + i))
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
    public func score4(_ r0: UnsafePointer<Int8>, _ r1: UnsafePointer<Int8>,
                _ r2: UnsafePointer<Int8>, _ r3: UnsafePointer<Int8>) -> SIMD4<Int32> {
        let body = dimension & ~15
        var a0 = SIMD8<Int32>(), a1 = SIMD8<Int32>(), a2 = SIMD8<Int32>(), a3 = SIMD8<Int32>()
        var i = 0
        while i < body {
            let q = load16(query + i)
            a0 &+= multiplyAddPairs(q, load16(r0 + i))
            a1 &+= multiplyAddPairs(q, load16(r1 + i))
            a2 &+= multiplyAddPairs(q, load16(r2 + i))
            a3 &+= multiplyAddPairs(q, load16(r3 + i))
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

extension FastKernels {
    /// `scores[i] = query · rows[i]` for `count` consecutive fp32 rows of `dimension` elements.
    public static func rowDots(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, count: Int, dimension: Int,
                               into scores: UnsafeMutablePointer<Float>) {
        let dot = FloatDot(query: query, dimension: dimension)
        var row = 0
        while row + 4 <= count {
            let base = rows + row * dimension
            let s = dot.score4(base, base + dimension, base + 2 * dimension, base + 3 * dimension)
            scores[row] = s[0]; scores[row + 1] = s[1]; scores[row + 2] = s[2]; scores[row + 3] = s[3]
            row += 4
        }
        while row < count {
            scores[row] = dot.score(rows + row * dimension)
            row += 1
        }
    }

    /// `sums[i] = query · rows[i]` in Int32 for `count` consecutive int8 rows of `dimension` codes.
    public static func rowDotsInt8(query: UnsafePointer<Int8>, rows: UnsafePointer<Int8>, count: Int,
                                   dimension: Int, into sums: UnsafeMutablePointer<Int32>) {
        let dot = Int8Dot(query: query, dimension: dimension)
        var row = 0
        while row + 4 <= count {
            let base = rows + row * dimension
            let s = dot.score4(base, base + dimension, base + 2 * dimension, base + 3 * dimension)
            sums[row] = s[0]; sums[row + 1] = s[1]; sums[row + 2] = s[2]; sums[row + 3] = s[3]
            row += 4
        }
        while row < count {
            sums[row] = dot.score(rows + row * dimension)
            row += 1
        }
    }
}
