// Fast float32 layer normalization over the trailing `columns` of each of `rows` rows, with
// 8-lane vector passes for the mean, the variance about it, and the affine output.

import EFCore

extension FastKernels {
    /// y = (x − mean) / sqrt(var + epsilon) · scale + bias per row of `columns` elements
    /// (`rows` rows, float32), statistics as `Kernels.layerNorm` (mean first, then the mean
    /// squared deviation about it; epsilon inside the sqrt), but accumulated in float32 lanes
    /// instead of float64. `scale` and `bias` (optional) hold `columns` values. `output` may
    /// equal `input`. Within 2e-6 · max(1, |y|) of `Kernels.layerNorm` for rows of normal data
    /// (FastLayerNormTests).
    public static func layerNorm(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int,
                                 columns: Int, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                 epsilon: Float) {
        guard rows > 0, columns > 0 else { return }
        Parallel.forEachChunk(rows, grain: Swift.max(1, streamingGrain / columns)) { range in
            for row in range {
                normalizeRow(input + row * columns, output + row * columns, columns, scale, bias, epsilon)
            }
        }
    }

    @inline(__always)
    private static func normalizeRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                                     _ scale: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ epsilon: Float) {
        let full = n & ~7, rest = n - full
        var sums = FloatVector(repeating: 0)
        var i = 0
        while i < full { sums += load(x + i); i += 8 }
        if rest > 0 { sums += loadPartial(x + full, rest) }
        let mean = Float(Double(sums.sum()) / Double(n))
        let center = FloatVector(repeating: mean)
        var squares = FloatVector(repeating: 0)
        i = 0
        while i < full { let c = load(x + i) - center; squares += c * c; i += 8 }
        if rest > 0 {
            var c = loadPartial(x + full, rest) - center
            for lane in rest..<8 { c[lane] = 0 }
            squares += c * c
        }
        let variance = Double(squares.sum()) / Double(n)
        let inverse = FloatVector(repeating: Float(1 / (variance + Double(epsilon)).squareRoot()))
        i = 0
        while i < full {
            let shift = bias.map { load($0 + i) } ?? FloatVector(repeating: 0)
            store((load(x + i) - center) * inverse * load(scale + i) + shift, y + i)
            i += 8
        }
        if rest > 0 {
            let shift = bias.map { loadPartial($0 + full, rest) } ?? FloatVector(repeating: 0)
            storePartial((loadPartial(x + full, rest) - center) * inverse * loadPartial(scale + full, rest) + shift,
                         y + full, rest)
        }
    }
}
