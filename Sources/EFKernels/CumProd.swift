// Cumulative product along one axis (ONNX CumProd), the multiplying twin of cumSum in
// AxisScans.swift.

import EFCore

extension Kernels {
    /// Cumulative product along `axis` (normalized); `exclusive` leaves out the element itself
    /// (the first output is 1), `reverse` multiplies from the end. float32/float64 and 32/64-bit
    /// integers natively (integers wrap on overflow), float16/bfloat16 and narrower integers
    /// through float64; same shape and dtype.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis; `.unsupported` for bool.
    public static func cumProd(_ x: Tensor, axis: Int, exclusive: Bool, reverse: Bool) throws -> Tensor {
        let layout = try AxisLayout(x.shape, axis: axis, "cumProd")
        switch x.dtype {
        case .float32: return try cumProd(x, layout, exclusive, reverse, Float.self) { $0 * $1 }
        case .float64: return try cumProd(x, layout, exclusive, reverse, Double.self) { $0 * $1 }
        case .int32: return try cumProd(x, layout, exclusive, reverse, Int32.self) { $0 &* $1 }
        case .int64: return try cumProd(x, layout, exclusive, reverse, Int64.self) { $0 &* $1 }
        case .uint32: return try cumProd(x, layout, exclusive, reverse, UInt32.self) { $0 &* $1 }
        case .uint64: return try cumProd(x, layout, exclusive, reverse, UInt64.self) { $0 &* $1 }
        case .bool: throw EdgeflowError(.unsupported, "cumProd is not defined for bool")
        default:
            let wide = try cumProd(try cast(x, to: .float64), axis: axis, exclusive: exclusive, reverse: reverse)
            return try cast(wide, to: x.dtype)
        }
    }

    private static func cumProd<T: TensorElement & Numeric>(
        _ x: Tensor, _ layout: AxisLayout, _ exclusive: Bool, _ reverse: Bool, _ t: T.Type,
        _ multiply: (T, T) -> T
    ) throws -> Tensor {
        let out = try makeOutput(x.dtype, x.shape, "cumProd")
        let src = x.elements(T.self), dst = out.mutableElements(T.self)
        var running = [T](repeating: 1, count: layout.inner)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner { running[i] = 1 }
            for step in 0..<layout.length {
                let k = reverse ? layout.length - 1 - step : step
                let row = layout.offset(o, k, 0)
                for i in 0..<layout.inner {
                    if exclusive { dst[row + i] = running[i] }
                    running[i] = multiply(running[i], src[row + i])
                    if !exclusive { dst[row + i] = running[i] }
                }
            }
        }
        return out
    }
}
