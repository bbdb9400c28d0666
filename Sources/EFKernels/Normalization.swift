// Layer normalization, instance normalization and local response normalization. Statistics
// are computed in float64 (mean first, then the variance about it), epsilon inside the sqrt.

import EFCore

extension Kernels {
    /// Layer normalization over axes `axis..<rank`: y = (x - mean) / sqrt(var + epsilon) * scale + bias.
    /// `scale` and optional `bias` broadcast onto `x.shape[axis...]`. Float dtypes; same shape.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis, mismatched dtypes or shapes.
    public static func layerNorm(_ x: Tensor, scale: Tensor, bias: Tensor?, axis: Int,
        epsilon: Float) throws -> Tensor {
        guard axis >= 0 && axis < Swift.max(x.rank, 1) else {
            throw EdgeflowError(.invalidInput, "layerNorm axis \(axis) is out of range for rank \(x.rank)")
        }
        let normalized = Array(x.shape[axis...])
        let scaleRow = try cast(try expand(scale, to: normalized), to: .float64).scalars(as: Double.self)
        let biasRow = try bias.map { try cast(try expand($0, to: normalized), to: .float64).scalars(as: Double.self) }
        return try normalizeRows(x, rowLength: normalized.elementCount, epsilon: epsilon, "layerNorm") { _, k in
            (scaleRow[k], biasRow?[k] ?? 0)
        }
    }

    /// Instance normalization of x [N, C, spatial...] over the spatial dims of each (n, c):
    /// y = (x - mean) / sqrt(var + epsilon) * scale[c] + bias[c].
    /// - Throws: `EdgeflowError.invalidInput` for rank < 2 or scale/bias not of length C.
    public static func instanceNorm(_ x: Tensor, scale: Tensor, bias: Tensor, epsilon: Float) throws -> Tensor {
        guard x.rank >= 2, scale.count == x.shape[1], bias.count == x.shape[1] else {
            throw EdgeflowError(.invalidInput,
                "instanceNorm needs x [N, C, ...] with scale and bias of C elements, got \(x), \(scale), \(bias)")
        }
        let channels = x.shape[1]
        let s = try cast(scale, to: .float64).scalars(as: Double.self)
        let b = try cast(bias, to: .float64).scalars(as: Double.self)
        return try normalizeRows(x, rowLength: x.shape[2...].reduce(1, *), epsilon: epsilon, "instanceNorm") { row, _ in
            (s[row % channels], b[row % channels])
        }
    }

    /// Normalizes each contiguous row of `rowLength` elements; `affine(row, k)` gives the
    /// scale and shift of element k of `row`.
    private static func normalizeRows(_ x: Tensor, rowLength: Int, epsilon: Float, _ context: String,
                                      _ affine: (Int, Int) -> (Double, Double)) throws -> Tensor {
        switch x.dtype {
        case .float32: return try normalizeRows(x, Float.self, rowLength, Double(epsilon), context, affine)
        case .float64: return try normalizeRows(x, Double.self, rowLength, Double(epsilon), context, affine)
        case .float16, .bfloat16:
            return try computingHalfInFloat32(x) {
                try normalizeRows($0, Float.self, rowLength, Double(epsilon), context, affine)
            }
        default: throw EdgeflowError(.unsupported, "\(context) needs a float tensor, got \(x.dtype.rawValue)")
        }
    }

    private static func normalizeRows<T: KernelFloat>(_ x: Tensor, _ t: T.Type, _ d: Int, _ epsilon: Double,
                                                      _ context: String,
                                                      _ affine: (Int, Int) -> (Double, Double)) throws -> Tensor {
        let out = try makeOutput(x.dtype, x.shape, context)
        guard d > 0 else { return out }
        let src = x.elements(T.self), dst = out.mutableElements(T.self)
        for row in 0..<(x.count / d) {
            let p = src + row * d, q = dst + row * d
            var sum = 0.0
            for k in 0..<d { sum += Double(p[k]) }
            let mean = sum / Double(d)
            var squares = 0.0
            for k in 0..<d { let c = Double(p[k]) - mean; squares += c * c }
            let inverse = 1 / (squares / Double(d) + epsilon).squareRoot()
            for k in 0..<d {
                let (scale, shift) = affine(row, k)
                q[k] = T((Double(p[k]) - mean) * inverse * scale + shift)
            }
        }
        return out
    }

    /// Local response normalization across channels of x [N, C, ...]:
    /// y = x / (bias + alpha / size · Σ x²)^beta, the sum over channels
    /// c - ⌊(size-1)/2⌋ ... c + ⌈(size-1)/2⌉ clipped to [0, C).
    /// - Throws: `EdgeflowError.invalidInput` for rank < 2 or size < 1.
    public static func lrn(_ x: Tensor, size: Int, alpha: Float, beta: Float, bias: Float) throws -> Tensor {
        guard x.rank >= 2, size >= 1 else {
            throw EdgeflowError(.invalidInput, "lrn needs x [N, C, ...] and size >= 1, got \(x) and size \(size)")
        }
        return try computingHalfInFloat32(x) { x in
            let wide = try cast(x, to: .float64)
            let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2...].reduce(1, *))
            let src = wide.elements(Double.self)
            let out = try makeOutput(.float64, x.shape, "lrn")
            let dst = out.mutableElements(Double.self)
            let before = (size - 1) / 2, after = size - 1 - before
            var squares = [Double](repeating: 0, count: plane)
            for batch in 0..<n {
                for channel in 0..<c {
                    for i in 0..<plane { squares[i] = 0 }
                    for other in Swift.max(0, channel - before)...Swift.min(c - 1, channel + after) {
                        let p = src + (batch * c + other) * plane
                        for i in 0..<plane { squares[i] += p[i] * p[i] }
                    }
                    let base = (batch * c + channel) * plane
                    for i in 0..<plane {
                        dst[base + i] = src[base + i] / Double.kPow(Double(bias) + Double(alpha) / Double(size) * squares[i], Double(beta))
                    }
                }
            }
            return try cast(out, to: x.dtype)
        }
    }
}
