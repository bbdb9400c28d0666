// Softmax and log-softmax along one axis, numerically stable (the row maximum is subtracted
// before exponentiation). Rows along the last axis are processed one at a time in cache;
// other axes walk whole [axis, inner] planes in memory order.

import EFCore

extension Kernels {
    /// Softmax (or log-softmax when `log`) of float `x` along `axis` (normalized). Same shape
    /// and dtype. A row whose maximum is -inf (fully masked) gives NaN, as in onnxruntime.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis; `.unsupported` for non-float input.
    public static func softmax(_ x: Tensor, axis: Int, log: Bool = false) throws -> Tensor {
        let layout = try AxisLayout(x.shape, axis: axis, "softmax")
        switch x.dtype {
        case .float32: return try softmax(x, layout, log, Float.self)
        case .float64: return try softmax(x, layout, log, Double.self)
        case .float16, .bfloat16: return try computingHalfInFloat32(x) { try softmax($0, layout, log, Float.self) }
        default: throw EdgeflowError(.unsupported, "softmax needs a float tensor, got \(x.dtype.rawValue)")
        }
    }

    private static func softmax<T: KernelFloat>(_ x: Tensor, _ layout: AxisLayout, _ log: Bool,
                                                _ t: T.Type) throws -> Tensor {
        let out = try makeOutput(x.dtype, x.shape, "softmax")
        let src = x.elements(T.self), dst = out.mutableElements(T.self)
        let n = layout.length, inner = layout.inner
        guard n > 0 else { return out }
        var peak = [T](repeating: 0, count: inner)
        var sum = [Double](repeating: 0, count: inner)
        var factor = [T](repeating: 0, count: inner)
        for o in 0..<layout.outer {
            let base = o * n * inner
            for i in 0..<inner { peak[i] = src[base + i]; sum[i] = 0 }
            for k in 1..<n {
                let row = base + k * inner
                for i in 0..<inner where src[row + i] > peak[i] || src[row + i].isNaN { peak[i] = src[row + i] }
            }
            for k in 0..<n {
                let row = base + k * inner
                for i in 0..<inner {
                    let shifted = src[row + i] - peak[i]
                    let e = T.kExp(shifted)
                    sum[i] += Double(e)
                    dst[row + i] = log ? shifted : e
                }
            }
            for i in 0..<inner { factor[i] = log ? T(Double.kLog(sum[i])) : T(1 / sum[i]) }
            for k in 0..<n {
                let row = base + k * inner
                for i in 0..<inner { dst[row + i] = log ? dst[row + i] - factor[i] : dst[row + i] * factor[i] }
            }
        }
        return out
    }
}
