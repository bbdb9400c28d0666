// The cache-blocked float matrix multiply behind MatMul, Conv and ConvTranspose: B is packed
// into panels of `nr` columns, A into panels of `mr` rows, and a register-blocked micro-kernel
// adds mr×nr tiles of C with SIMD loads over the packed panels (GotoBLAS loop order: the
// current B micro-panel stays in L1, the A block in L2, the B panel in L3).

import EFCore

/// Float types the blocked GEMM computes in: float32 and float64.
public protocol GemmScalar: BinaryFloatingPoint, SIMDScalar, TensorElement, Codable {}
extension Float: GemmScalar {}
extension Double: GemmScalar {}

/// A read-only matrix view: element (r, c) is at `base[r * rowStride + c * colStride]`.
/// A transposed matrix is the same memory with the strides swapped.
public struct MatrixView<T> {
    public var base: UnsafePointer<T>
    public var rowStride: Int
    public var colStride: Int

    public init(_ base: UnsafePointer<T>, rowStride: Int, colStride: Int = 1) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
    }

    @inline(__always) subscript(row: Int, col: Int) -> T { base[row * rowStride + col * colStride] }
}

enum GemmBlocking {
    /// Rows of the micro-tile.
    static let mr = 4
    /// Columns of the micro-tile (one SIMD8 vector).
    static let nr = 8
    /// Depth of one packed panel.
    static let kc = 256
    /// Rows of A packed at once (a multiple of `mr`).
    static let mc = 128
    /// Columns of B packed at once (a multiple of `nr`).
    static let nc = 2048
}

extension Kernels {
    /// C = A·B, or C += A·B when `accumulate` is true.
    ///
    /// - Parameters:
    ///   - m, n, k: C is m×n, A is m×k, B is k×n (any may be 0).
    ///   - c: row-major with row stride `ldc` (≥ n); the caller owns it for writing.
    /// The summation order over k is fixed by the blocking (chunks of 256, in order), so results
    /// are deterministic for a given shape.
    public static func gemm<T: GemmScalar>(m: Int, n: Int, k: Int, a: MatrixView<T>, b: MatrixView<T>,
                                           c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let (mr, nr) = (GemmBlocking.mr, GemmBlocking.nr)
        let kcMax = min(GemmBlocking.kc, k)
        let mcMax = min(GemmBlocking.mc, roundUp(m, mr))
        let ncMax = min(GemmBlocking.nc, roundUp(n, nr))
        let packedA = UnsafeMutableRawPointer.allocate(byteCount: mcMax * kcMax * MemoryLayout<T>.stride, alignment: 64)
            .bindMemory(to: T.self, capacity: mcMax * kcMax)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: ncMax * kcMax * MemoryLayout<T>.stride, alignment: 64)
            .bindMemory(to: T.self, capacity: ncMax * kcMax)
        defer {
            packedA.deallocate()
            packedB.deallocate()
        }
        for jc in stride(from: 0, to: n, by: GemmBlocking.nc) {
            let ncCur = min(GemmBlocking.nc, n - jc)
            for pc in stride(from: 0, to: k, by: GemmBlocking.kc) {
                let kcCur = min(GemmBlocking.kc, k - pc)
                packPanels(of: b, transposed: true, firstLine: jc, lines: ncCur, width: nr,
                           depthStart: pc, depth: kcCur, into: packedB)
                let add = accumulate || pc > 0
                for ic in stride(from: 0, to: m, by: GemmBlocking.mc) {
                    let mcCur = min(GemmBlocking.mc, m - ic)
                    packPanels(of: a, transposed: false, firstLine: ic, lines: mcCur, width: mr,
                               depthStart: pc, depth: kcCur, into: packedA)
                    for jr in stride(from: 0, to: ncCur, by: nr) {
                        let bPanel = UnsafePointer(packedB + jr * kcCur)
                        for ir in stride(from: 0, to: mcCur, by: mr) {
                            let tile = c + (ic + ir) * ldc + jc + jr
                            microKernel(depth: kcCur, a: UnsafePointer(packedA + ir * kcCur), b: bPanel,
                                        c: tile, ldc: ldc, rows: min(mr, mcCur - ir),
                                        cols: min(nr, ncCur - jr), accumulate: add)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }

    /// Packs `lines` rows of A (or columns of B when `transposed`) starting at `firstLine`, over
    /// depth `depthStart..<depthStart+depth`, into panels of `width` lines: panel p holds, for
    /// each depth step, `width` consecutive values (zero beyond the last line).
    static func packPanels<T: GemmScalar>(of matrix: MatrixView<T>, transposed: Bool, firstLine: Int, lines: Int,
                                          width: Int, depthStart: Int, depth: Int,
                                          into out: UnsafeMutablePointer<T>) {
        // Along a line the matrix steps by `lineStride`; along depth by `depthStride`.
        let lineStride = transposed ? matrix.colStride : matrix.rowStride
        let depthStride = transposed ? matrix.rowStride : matrix.colStride
        var dst = out
        for panelStart in stride(from: 0, to: lines, by: width) {
            let used = min(width, lines - panelStart)
            let src = matrix.base + (firstLine + panelStart) * lineStride + depthStart * depthStride
            if lineStride == 1 {
                for p in 0..<depth {
                    let row = src + p * depthStride
                    for l in 0..<used { dst[l] = row[l] }
                    for l in used..<width { dst[l] = 0 }
                    dst += width
                }
            } else {
                for l in 0..<used {
                    var s = src + l * lineStride
                    var d = dst + l
                    for _ in 0..<depth {
                        d.pointee = s.pointee
                        s += depthStride
                        d += width
                    }
                }
                if used < width {
                    for p in 0..<depth { for l in used..<width { dst[p * width + l] = 0 } }
                }
                dst += depth * width
            }
        }
    }

    /// Multiplies a packed mr×depth A panel by a packed depth×nr B panel into the tile at `c`,
    /// writing only `rows`×`cols` of it.
    @inline(__always)
    static func microKernel<T: GemmScalar>(depth: Int, a: UnsafePointer<T>, b: UnsafePointer<T>,
                                           c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, cols: Int,
                                           accumulate: Bool) {
        var c0 = SIMD8<T>(), c1 = SIMD8<T>(), c2 = SIMD8<T>(), c3 = SIMD8<T>()
        var ap = a
        var bp = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let bv = bp.loadUnaligned(as: SIMD8<T>.self)
            c0 += SIMD8(repeating: ap[0]) * bv
            c1 += SIMD8(repeating: ap[1]) * bv
            c2 += SIMD8(repeating: ap[2]) * bv
            c3 += SIMD8(repeating: ap[3]) * bv
            ap += 4
            bp += MemoryLayout<SIMD8<T>>.stride
        }
        if rows == 4 && cols == 8 {
            storeRow(c0, c, accumulate)
            storeRow(c1, c + ldc, accumulate)
            storeRow(c2, c + 2 * ldc, accumulate)
            storeRow(c3, c + 3 * ldc, accumulate)
            return
        }
        // Edge tile: spill the accumulators to the stack and write the part that exists.
        withUnsafeTemporaryAllocation(of: SIMD8<T>.self, capacity: 4) { tile in
            let base = tile.baseAddress!
            base.initialize(to: c0)
            (base + 1).initialize(to: c1)
            (base + 2).initialize(to: c2)
            (base + 3).initialize(to: c3)
            for r in 0..<rows {
                let row = c + r * ldc
                for j in 0..<cols { row[j] = accumulate ? row[j] + tile[r][j] : tile[r][j] }
            }
        }
    }

    @inline(__always)
    private static func storeRow<T: GemmScalar>(_ value: SIMD8<T>, _ row: UnsafeMutablePointer<T>, _ accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(row)
        if accumulate {
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<T>.self) + value, as: SIMD8<T>.self)
        } else {
            raw.storeBytes(of: value, as: SIMD8<T>.self)
        }
    }
}
