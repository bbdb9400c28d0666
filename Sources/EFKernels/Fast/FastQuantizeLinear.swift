// Per-tensor u8 QuantizeLinear and DequantizeLinear over buffers, bit-identical to the
// reference (QuantLinear.swift): quantize = saturate(rne(x / scale) + zp) with a true float32
// division (never a reciprocal; NaN gives zp), dequantize = (Float(q) − Float(zp)) · scale.

import EFCore

extension FastKernels {
    /// y[i] = clamp(rne(x[i] / scale) + zeroPoint, 0, 255), NaN quotients giving zeroPoint, as
    /// `Kernels.quantizeLinear` with a float32 scalar scale and uint8 output.
    /// - Parameters: x float32 and y uint8, `count` elements each; any scale (0 and
    ///   non-finite scales behave as the reference's float32 division does).
    public static func quantizeLinearU8(_ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: UInt8,
                                        into y: UnsafeMutablePointer<UInt8>) {
        forEachVectorChunk(count) { start, end in
            quantizeU8Range(x, start, end, scale: scale, zeroPoint: zeroPoint, into: y)
        }
    }

    /// `quantizeLinearU8` over start..<end, on the calling thread.
    @inline(__always)
    static func quantizeU8Range(_ x: UnsafePointer<Float>, _ start: Int, _ end: Int, scale: Float, zeroPoint: UInt8,
                                into y: UnsafeMutablePointer<UInt8>) {
        let s = FloatVector(repeating: scale), zp = SIMD8<Int32>(repeating: Int32(zeroPoint))
        let lo = FloatVector(repeating: -Float(zeroPoint)), hi = FloatVector(repeating: 255 - Float(zeroPoint))
        @inline(__always) func quantize(_ v: FloatVector) -> SIMD8<Int32> {
            let q = v / s
            let t = swiftMin(swiftMax(q.replacing(with: 0, where: q .!= q), lo), hi)
            return roundedIntegers(t) &+ zp
        }
        var i = start
        while i + 8 <= end {
            storeBytes(quantize(load(x + i)), y + i, 8)
            i += 8
        }
        if i < end { storeBytes(quantize(loadPartial(x + i, end - i)), y + i, end - i) }
    }

    /// The 256 float32 values u8 codes dequantize to: table[q] = (Float(q) − Float(zeroPoint)) · scale.
    public static func dequantizeTable(scale: Float, zeroPoint: UInt8) -> [Float] {
        (0..<256).map { (Float($0) - Float(zeroPoint)) * scale }
    }

    /// y[i] = table[x[i]] with `table` from `dequantizeTable` (256 entries): per-tensor u8
    /// DequantizeLinear, as `Kernels.dequantizeLinear` with a float32 scalar scale.
    /// - Throws: `EdgeflowError.invalidInput` when the table does not have 256 entries.
    public static func dequantizeLinearU8(_ x: UnsafePointer<UInt8>, count: Int, table: UnsafePointer<Float>,
                                          tableCount: Int, into y: UnsafeMutablePointer<Float>) throws {
        guard tableCount == 256 else {
            throw EdgeflowError(.invalidInput, "dequantizeLinearU8 needs a 256-entry table, got \(tableCount)")
        }
        Parallel.forEachChunk(count, grain: streamingGrain) { range in
            for i in range { y[i] = table[Int(x[i])] }
        }
    }
}
