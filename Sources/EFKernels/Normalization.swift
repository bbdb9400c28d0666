// Layer normalization, instance normalization and local response normalization. Statistics
// are computed in float64 (mean first, then the variance about it), epsilon inside the sqrt.

import EFCore

extension Kernels {
    /// Layer normalization over axes `axis..<rank`: y = (x - mean) / sqrt(var + epsilon) * scale + bias.
    /// `scale` and optional `bias` broadcast onto `x.shape[axis...]`. Float dtypes; same shape.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis, mismatched dtypes or shapes.
    public static func layerNorm(_ x: Tensor, scale: Tensor, bias: Tensor?, axis: Int,
        epsilon: Float) throws -> Tensor {
        try layerNorm(x, scale: scale, bias: bias, axis: axis, epsilon: epsilon, statistics: nil)
    }

    /// Layer normalization as `layerNorm`, also returning the statistics of each normalized row
    /// (as ONNX LayerNormalization's optional outputs): `mean` and `invStdDev` = 1 / sqrt(var + epsilon),
    /// both shaped like x with the normalized dims `axis..<rank` set to 1, of `statisticsDType`
    /// (a float dtype). Statistics are computed in float64 and rounded once.
    /// - Throws: `EdgeflowError.invalidInput` as `layerNorm`, or for a non-float `statisticsDType`.
    public static func layerNormWithStatistics(_ x: Tensor, scale: Tensor, bias: Tensor?, axis: Int, epsilon: Float,
                                               statisticsDType: DType = .float32)
        throws -> (y: Tensor, mean: Tensor, invStdDev: Tensor) {
        guard statisticsDType.isFloatingPoint else {
            throw EdgeflowError(.invalidInput, "layerNorm statistics need a float dtype, got \(statisticsDType.rawValue)")
        }
        let rows = Array(x.shape.prefix(Swift.max(0, Swift.min(axis, x.rank)))).elementCount
        var statistics = [Double](repeating: 0, count: 2 * rows)
        let y = try statistics.withUnsafeMutableBufferPointer {
            try layerNorm(x, scale: scale, bias: bias, axis: axis, epsilon: epsilon, statistics: $0.baseAddress)
        }
        let shape = x.shape.enumerated().map { $0.offset < axis ? $0.element : 1 }
        let mean = try cast(Tensor(shape: shape, scalars: Array(statistics[..<rows])), to: statisticsDType)
        let invStdDev = try cast(Tensor(shape: shape, scalars: Array(statistics[rows...])), to: statisticsDType)
        return (y, mean, invStdDev)
    }

    /// Shared body of the layerNorm entry points; `statistics`, when given, receives the mean of
    /// every row followed by the inverse standard deviation of every row.
    private static func layerNorm(_ x: Tensor, scale: Tensor, bias: Tensor?, axis: Int, epsilon: Float,
                                  statistics: UnsafeMutablePointer<Double>?) throws -> Tensor {
        guard axis >= 0 && axis < Swift.max(x.rank, 1) else {
            throw EdgeflowError(.invalidInput, "layerNorm axis \(axis) is out of range for rank \(x.rank)")
        }
        let normalized = Array(x.shape[axis...])
        let scaleRow = try cast(try expand(scale, to: normalized), to: .float64).scalars(as: Double.self)
        let biasRow = try bias.map { try cast(try expand($0, to: normalized), to: .float64).scalars(as: Double.self) }
        return try normalizeRows(x, rowLength: normalized.elementCount, epsilon: epsilon, "layerNorm",
                                 statistics: statistics) { _, k in
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
    /// scale and shift of element k of `row`. `statistics`, when given, holds room for 2 × rows
    /// values: the row means, then the row inverse standard deviations.
    private static func normalizeRows(_ x: Tensor, rowLength: Int, epsilon: Float, _ context: String,
                                      statistics: UnsafeMutablePointer<Double>? = nil,
                                      _ affine: (Int, Int) -> (Double, Double)) throws -> Tensor {
        let e = Double(epsilon)
        switch x.dtype {
        case .float32: return try normalizeRows(x, Float.self, rowLength, e, context, statistics, affine)
        case .float64: return try normalizeRows(x, Double.self, rowLength, e, context, statistics, affine)
        case .float16, .bfloat16:
            return try computingHalfInFloat32(x) {
                try normalizeRows($0, Float.self, rowLength, e, context, statistics, affine)
            }
        default: throw EdgeflowError(.unsupported, "\(context) needs a float tensor, got \(x.dtype.rawValue)")
        }
    }

    private static func normalizeRows<T: KernelFloat>(_ x: Tensor, _ t: T.Type, _ d: Int, _ epsilon: Double,
                                                      _ context: String,
                                                      _ statistics: UnsafeMutablePointer<Double>?,
                                                      _ affine: (Int, Int) -> (Double, Double)) throws -> Tensor {
        let out = try makeOutput(x.dtype, x.shape, context)
        guard d > 0 else { return out }
        let src = x.elements(T.self), dst = out.mutableElements(T.self)
        let rows = x.count / d
        for row in 0..<rows {
            let p = src + row * d, q = dst + row * d
            var sum = 0.0
            for k in 0..<d { sum += Double(p[k]) }
            let mean = sum / Double(d)
            var squares = 0.0
            for k in 0..<d { let c = Double(p[k]) - mean; squares += c * c }
            let inverse = 1 / (squares / Double(d) + epsilon).squareRoot()
            if let statistics {
                statistics[row] = mean
                statistics[rows + row] = inverse
            }
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
