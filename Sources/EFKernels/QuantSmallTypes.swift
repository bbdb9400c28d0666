// QuantizeLinear to float8 and float4e2m1 as the ONNX reference does it, and the element types
// ONNX QuantizeLinear/DequantizeLinear take (the integer kernels are in QuantLinear.swift).

import EFCore

extension Kernels {
    /// The quantized element types of ONNX QuantizeLinear/DequantizeLinear that Edgeflow runs.
    public static let quantizedDTypes: Set<DType> = [
        .int8, .uint8, .int16, .uint16, .int32, .int4, .uint4, .int2, .uint2,
        .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float4e2m1,
    ]

    /// y = x / scale rounded to nearest even into float8 (`saturate`: overflow gives the largest
    /// finite value, else inf or NaN; the zero point is ignored, as the reference ignores it) or float4e2m1
    /// ((x / scale + zeroPoint) in float32, then rounded and saturated).
    /// - Precondition: `outputDType` is a float8 (not e8m0) or float4e2m1 type; `zeroPoint`
    ///   has been checked against `scale`.
    static func quantizeToSmallFloat(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, layout: QuantParameterLayout,
                                     outputDType: DType, saturate: Bool) throws -> Tensor {
        let values = x.doubleValues(), scales = scale.doubleValues()
        let zeros = outputDType == .float4e2m1 ? zeroPoint?.doubleValues() : nil
        var result = [Double](repeating: 0, count: values.count)
        layout.forEachRun { p, run in
            let s = scales[p], zp = zeros?[p]
            for i in run {
                let quotient = quantizeQuotient(values[i], s, x.dtype, scale.dtype)
                result[i] = zp.map { Double(Float(quotient) + Float($0)) } ?? quotient
            }
        }
        return saturatingSmallTypeTensor(from: result, shape: x.shape, dtype: outputDType, saturate: saturate)
    }
}
