// Shape rules for the Quant op group. Scales and zero points may be runtime values; only their
// dtypes decide output types here (the kernels check their shapes against the data).

import EFCore
import EFKernels

enum QuantShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        switch node.params {
        case .quantizeLinear(let p):
            let x = try OpShapes.required(inputs, 0, "x")
            let scale = try OpShapes.required(inputs, 1, "scale")
            guard let out = p.outputDType else {
                throw EdgeflowError(.invalidModel, "missing or malformed parameter 'outputDType'")
            }
            guard Kernels.quantizedDTypes.contains(out) else {
                throw EdgeflowError(.unsupported, "quantizeLinear to \(out.rawValue) is not supported "
                    + "(int2/4/8/16, uint2/4/8/16, int32, float8 but e8m0, float4e2m1 are)")
            }
            guard x.dtype.isFloatingPoint, scale.dtype.isFloatingPoint else {
                throw EdgeflowError(.invalidModel,
                    "quantizeLinear needs float x and scale, got \(x.dtype.rawValue) and \(scale.dtype.rawValue)")
            }
            if let zp = optional(inputs, 2), zp.dtype != out {
                throw EdgeflowError(.invalidModel,
                    "quantizeLinear zero point is \(zp.dtype.rawValue) but outputDType is \(out.rawValue)")
            }
            return [TensorType(out, x.shape)]
        case .dequantizeLinear(let p):
            let x = try OpShapes.required(inputs, 0, "x")
            let scale = try OpShapes.required(inputs, 1, "scale")
            guard Kernels.quantizedDTypes.contains(x.dtype), scale.dtype.isFloatingPoint else {
                throw EdgeflowError(.unsupported, "dequantizeLinear takes an integer, float8 or float4 x and a float "
                    + "scale, got \(x.dtype.rawValue) and \(scale.dtype.rawValue)")
            }
            if let zp = optional(inputs, 2), zp.dtype != x.dtype {
                throw EdgeflowError(.invalidModel,
                    "dequantizeLinear zero point is \(zp.dtype.rawValue) but x is \(x.dtype.rawValue)")
            }
            return [TensorType(p.outputDType ?? scale.dtype, x.shape)]
        case .dynamicQuantizeLinear:
            let x = try OpShapes.required(inputs, 0, "x")
            guard x.dtype == .float32 else {
                throw EdgeflowError(.unsupported, "dynamicQuantizeLinear takes float32, got \(x.dtype.rawValue)")
            }
            return [TensorType(.uint8, x.shape), TensorType(.float32, []), TensorType(.uint8, [])]
        case .matMulInteger:
            let a = try quantized(inputs, 0, "a"), b = try quantized(inputs, 1, "b")
            return [TensorType(.int32, try LinearShapes.matMulShape(a.shape, b.shape))]
        case .convInteger(let window):
            let x = try quantized(inputs, 0, "x"), w = try quantized(inputs, 1, "w")
            return [TensorType(.int32, try LinearShapes.convShape(x.shape, w.shape, window))]
        case .qlinearMatMul:
            let a = try quantized(inputs, 0, "a"), b = try quantized(inputs, 3, "b")
            return [TensorType(try outputDType(inputs, a), try LinearShapes.matMulShape(a.shape, b.shape))]
        case .qlinearConv(let window):
            let x = try quantized(inputs, 0, "x"), w = try quantized(inputs, 3, "w")
            if let bias = optional(inputs, 8), bias.dtype != .int32 || bias.shape != [w.shape.first ?? 0] {
                throw EdgeflowError(.invalidModel, "qlinearConv bias must be int32 [\(w.shape.first ?? 0)], got \(bias)")
            }
            return [TensorType(try outputDType(inputs, x), try LinearShapes.convShape(x.shape, w.shape, window))]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a quant op")
        }
    }

    private static func optional(_ inputs: [TensorType?], _ index: Int) -> TensorType? {
        index < inputs.count ? inputs[index] : nil
    }

    private static func quantized(_ inputs: [TensorType?], _ index: Int, _ role: String) throws -> TensorType {
        let type = try OpShapes.required(inputs, index, role)
        guard type.dtype == .int8 || type.dtype == .uint8 else {
            throw EdgeflowError(.unsupported, "\(role) is \(type.dtype.rawValue); quantized products take int8 or uint8")
        }
        return type
    }

    /// The output zero point's dtype (input 7), or the input's without one.
    private static func outputDType(_ inputs: [TensorType?], _ x: TensorType) throws -> DType {
        guard let zp = optional(inputs, 7) else { return x.dtype }
        guard zp.dtype == .int8 || zp.dtype == .uint8 else {
            throw EdgeflowError(.invalidModel, "the output zero point must be int8 or uint8, got \(zp.dtype.rawValue)")
        }
        return zp.dtype
    }
}
