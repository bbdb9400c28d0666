// im2col and col2im over the normalized 3-D window geometry: the bridge between convolution
// and the blocked GEMM. Index math is hoisted per kernel tap; the innermost loop walks one output
// row with a fixed input stride (a plain copy when the stride is 1).

extension Kernels {
    /// Unfolds `channels` input planes (each `geometry.inputVolume` elements, starting at `source`)
    /// into `columns`, a [channels · kernelVolume, outputVolume] row-major matrix; taps that fall
    /// in the padding read `zero`.
    static func im2col<T>(_ source: UnsafePointer<T>, channels: Int, geometry g: WindowGeometry, zero: T,
                          into columns: UnsafeMutablePointer<T>) {
        let (oh, ow) = (g.output[1], g.output[2])
        let (ih, iw) = (g.input[1], g.input[2])
        let p = g.outputVolume
        var row = columns
        for c in 0..<channels {
            let plane = source + c * g.inputVolume
            g.forEachTap { tap in
                let sw = g.strides[2]
                for od in 0..<g.output[0] {
                    let slab = row + od * oh * ow
                    guard od >= tap.depth.lo && od < tap.depth.hi else {
                        slab.update(repeating: zero, count: oh * ow)
                        continue
                    }
                    let id = g.inputDepth(od, tap)
                    for y in 0..<oh {
                        let dst = slab + y * ow
                        guard y >= tap.height.lo && y < tap.height.hi else {
                            dst.update(repeating: zero, count: ow)
                            continue
                        }
                        let src = plane + (id * ih + g.inputRow(y, tap)) * iw + tap.columnOffset
                        let (lo, hi) = tap.width
                        if lo > 0 { dst.update(repeating: zero, count: lo) }
                        if sw == 1 {
                            (dst + lo).update(from: src + lo, count: hi - lo)
                        } else {
                            for x in lo..<hi { dst[x] = src[x * sw] }
                        }
                        if hi < ow { (dst + hi).update(repeating: zero, count: ow - hi) }
                    }
                }
                row += p
            }
        }
    }

    /// The adjoint of `im2col`: adds each entry of `columns` ([channels · kernelVolume,
    /// outputVolume], where "output" is the smaller, strided grid) into the `channels` planes at
    /// `destination` (each `geometry.inputVolume` elements) at the position it was read from.
    /// Entries that map into the padding are dropped.
    static func col2imAdd<T: AdditiveArithmetic>(_ columns: UnsafePointer<T>, channels: Int, geometry g: WindowGeometry,
                                                 into destination: UnsafeMutablePointer<T>) {
        let (oh, ow) = (g.output[1], g.output[2])
        let (ih, iw) = (g.input[1], g.input[2])
        let p = g.outputVolume
        var row = columns
        for c in 0..<channels {
            let plane = destination + c * g.inputVolume
            g.forEachTap { tap in
                let sw = g.strides[2]
                for od in tap.depth.lo..<tap.depth.hi {
                    let id = g.inputDepth(od, tap)
                    for y in tap.height.lo..<tap.height.hi {
                        let dst = plane + (id * ih + g.inputRow(y, tap)) * iw + tap.columnOffset
                        let src = row + (od * oh + y) * ow
                        for x in tap.width.lo..<tap.width.hi { dst[x * sw] += src[x] }
                    }
                }
                row += p
            }
        }
    }
}
