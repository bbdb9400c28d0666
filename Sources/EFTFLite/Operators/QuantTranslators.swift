// TFLite's own quantized tensors at the boundary of a float graph: DEQUANTIZE of a run-time
// int8/uint8 value and QUANTIZE of a float value become ONNX DequantizeLinear/QuantizeLinear
// with the tensor's scales and zero points (per tensor, or per channel along the quantized
// dimension remapped to NCHW). Operators computing in int8 go to IntegerTranslators.

import EFCore
import EFONNX

enum QuantTranslators {
    static let table: [Int32: OperatorTranslator] = [BuiltinOperator.quantize: quantize]

    /// The scale and zero-point initializers of `tensor` and the ONNX axis (NCHW for 4-D).
    private static func parameters(_ index: Int, _ ctx: TranslationContext) throws
        -> (scale: String, zeroPoint: String, axis: Int) {
        let tensor = ctx.tensor(index)
        guard let quantization = tensor.quantization, quantization.isPresent,
              let dtype = TensorData.dtype(tensor.typeCode), dtype == .int8 || dtype == .uint8 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): tensor '\(tensor.name)' "
                + "(\(TensorData.typeName(tensor.typeCode))) is not an int8/uint8 tensor with quantization parameters")
        }
        let (scales, zeroPoints, axis) = try TensorData.parameters(quantization, shape: tensor.shape, name: tensor.name)
        let scaleShape = scales.count == 1 ? [Int]() : [scales.count]
        let scale = ctx.addInitializer(Tensor(shape: scaleShape, scalars: scales), hint: "\(tensor.name)/scale")
        let zeroPoint: String
        if dtype == .int8 {
            zeroPoint = ctx.addInitializer(Tensor(shape: scaleShape, scalars: try zeroPoints.map {
                try narrowed($0, Int8.self, tensor.name) }), hint: "\(tensor.name)/zero_point")
        } else {
            zeroPoint = ctx.addInitializer(Tensor(shape: scaleShape, scalars: try zeroPoints.map {
                try narrowed($0, UInt8.self, tensor.name) }), hint: "\(tensor.name)/zero_point")
        }
        return (scale, zeroPoint, Layout.nchwAxis(axis, rank: tensor.shape.count))
    }

    private static func narrowed<T: FixedWidthInteger>(_ value: Int64, _ type: T.Type, _ name: String) throws -> T {
        guard let narrow = T(exactly: value) else {
            throw EdgeflowError(.invalidModel, "tensor '\(name)': zero point \(value) is outside \(T.self)")
        }
        return narrow
    }

    /// DequantizeLinear of the run-time quantized tensor `index` into tensor `out`.
    static func dequantizeLinear(_ index: Int, into out: Int, _ ctx: TranslationContext) throws {
        let (scale, zeroPoint, axis) = try parameters(index, ctx)
        ctx.emit("DequantizeLinear", [try ctx.value(index), scale, zeroPoint], ["axis": .int(axis)],
                 output: ctx.outputName(out), hint: ctx.tensor(out).name)
    }

    /// DequantizeLinear of the run-time quantized tensor `index`, as a new float value.
    static func dequantized(_ index: Int, _ ctx: TranslationContext) throws -> String {
        let (scale, zeroPoint, axis) = try parameters(index, ctx)
        return ctx.emit("DequantizeLinear", [try ctx.value(index), scale, zeroPoint], ["axis": .int(axis)],
                        hint: "\(ctx.tensor(index).name)/float")
    }

    /// QUANTIZE of a float value into its int8/uint8 output's parameters.
    static func quantize(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let x = try ctx.input(op, 0, "input")
        let out = try ctx.output(op)
        let (scale, zeroPoint, axis) = try parameters(out, ctx)
        ctx.emit("QuantizeLinear", [try ctx.value(x), scale, zeroPoint], ["axis": .int(axis)],
                 output: ctx.outputName(out), hint: ctx.tensor(out).name)
    }
}
