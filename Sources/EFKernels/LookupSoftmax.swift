// TFLite's int8 and uint8 softmax, bit for bit (its x86 kernel, optimized_ops::Softmax with a float
// table): per row, e_j = table[255 − max + x_j] with table[255 − d] = exp(−s_x·β·d) made once
// in float32, the float32 sum of the e_j in order, inv = 1 / (sum · s_y), and
// y_j = round(e_j · inv) (half away from zero) + z_y, saturated to x's type.

import EFCore

extension Kernels {
    /// Softmax of 8-bit `x` along `axis` through `table`, quantized to (scale, zeroPoint).
    ///
    /// - Parameters:
    ///   - x: int8 or uint8, any shape with rank > axis ≥ 0.
    ///   - table: float32 [256], table[255 − d] the weight of a value d below the row's maximum.
    ///   - scale: the output scale (finite, positive); zeroPoint: within x's type.
    /// - Returns: x's dtype and shape.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, a table that is not [256], or bad parameters.
    public static func lookupSoftmax(_ x: Tensor, table: Tensor, axis: Int, scale: Float,
                                     zeroPoint: Int32) throws -> Tensor {
        let range: ClosedRange<Int32> = x.dtype == .uint8 ? 0...255 : -128...127
        guard x.dtype == .int8 || x.dtype == .uint8, table.dtype == .float32, table.count == 256,
              (0..<x.rank).contains(axis), scale.isFinite, scale > 0, range.contains(zeroPoint) else {
            throw EdgeflowError(.invalidInput, "lookupSoftmax takes int8 or uint8 x with an axis, a float32 [256] "
                + "table, a positive scale and a zero point of x's type; got \(x.dtype.rawValue) "
                + "\(x.shape.shapeDescription), axis \(axis), table \(table.dtype.rawValue) "
                + "\(table.shape.shapeDescription), scale \(scale), zero point \(zeroPoint)")
        }
        let depth = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        let outer = depth * inner == 0 ? 0 : x.count / (depth * inner)
        let values = x.dtype == .uint8 ? x.scalars(as: UInt8.self).map(Int.init)
                                       : x.scalars(as: Int8.self).map(Int.init)
        let weights = table.scalars(as: Float.self)
        var y = [Int32](repeating: 0, count: values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * depth * inner + i
                var maximum = Int(range.lowerBound)
                for j in 0..<depth { maximum = Swift.max(maximum, values[base + j * inner]) }
                let offset = 255 - maximum
                var sum: Float = 0
                for j in 0..<depth { sum += weights[offset + values[base + j * inner]] }
                let inverse = 1 / (sum * scale)
                for j in 0..<depth {
                    let probability = (weights[offset + values[base + j * inner]] * inverse).rounded()
                    let bounded = probability.isNaN ? 0 : Swift.min(Swift.max(probability, -256), 256)
                    let quantized = Int32(bounded) + zeroPoint
                    y[base + j * inner] = Swift.min(Swift.max(quantized, range.lowerBound), range.upperBound)
                }
            }
        }
        return try cast(Tensor(shape: x.shape, scalars: y), to: x.dtype)
    }
}
