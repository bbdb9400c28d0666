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
            for kd in 0..<g.kernel[0] {
                let dRange = g.validOutputs(axis: 0, tap: kd)
                for kh in 0..<g.kernel[1] {
                    let hRange = g.validOutputs(axis: 1, tap: kh)
                    for kw in 0..<g.kernel[2] {
                        let wRange = g.validOutputs(axis: 2, tap: kw)
                        let wOffset = kw * g.dilations[2] - g.padBegin[2]
                        let sw = g.strides[2]
                        for od in 0..<g.output[0] {
                            let slab = row + od * oh * ow
                            guard od >= dRange.lo && od < dRange.hi else {
                                slab.update(repeating: zero, count: oh * ow)
                                continue
                            }
                            let id = od * g.strides[0] - g.padBegin[0] + kd * g.dilations[0]
                            for y in 0..<oh {
                                let dst = slab + y * ow
                                guard y >= hRange.lo && y < hRange.hi else {
                                    dst.update(repeating: zero, count: ow)
                                    continue
                                }
                                let iy = y * g.strides[1] - g.padBegin[1] + kh * g.dilations[1]
                                let src = plane + (id * ih + iy) * iw + wOffset
                                if wRange.lo > 0 { dst.update(repeating: zero, count: wRange.lo) }
                                if sw == 1 {
                                    (dst + wRange.lo).update(from: src + wRange.lo, count: wRange.hi - wRange.lo)
                                } else {
                                    for x in wRange.lo..<wRange.hi { dst[x] = src[x * sw] }
                                }
                                if wRange.hi < ow { (dst + wRange.hi).update(repeating: zero, count: ow - wRange.hi) }
                            }
                        }
                        row += p
                    }
                }
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
            for kd in 0..<g.kernel[0] {
                let dRange = g.validOutputs(axis: 0, tap: kd)
                for kh in 0..<g.kernel[1] {
                    let hRange = g.validOutputs(axis: 1, tap: kh)
                    for kw in 0..<g.kernel[2] {
                        let wRange = g.validOutputs(axis: 2, tap: kw)
                        let wOffset = kw * g.dilations[2] - g.padBegin[2]
                        let sw = g.strides[2]
                        for od in dRange.lo..<dRange.hi {
                            let id = od * g.strides[0] - g.padBegin[0] + kd * g.dilations[0]
                            for y in hRange.lo..<hRange.hi {
                                let iy = y * g.strides[1] - g.padBegin[1] + kh * g.dilations[1]
                                let dst = plane + (id * ih + iy) * iw + wOffset
                                let src = row + (od * oh + y) * ow
                                for x in wRange.lo..<wRange.hi { dst[x * sw] += src[x] }
                            }
                        }
                        row += p
                    }
                }
            }
        }
    }
}
