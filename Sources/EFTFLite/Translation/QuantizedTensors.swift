// What the integer translators need to know of TFLite's quantized tensors: which operators
// compute in integers, each tensor's scale and zero point, the clamp a fused activation leaves
// (TFLite's CalculateActivationRangeQuantized) and the FixedPointRequantize node that ends
// every integer operator (multipliers made by TFLite's QuantizeMultiplier).

import EFCore
import EFKernels
import EFONNX

/// One tensor's per-tensor quantization: real = scale · (q − zeroPoint).
struct TensorQuantization: Equatable {
    var scale: Float
    var zeroPoint: Int32
    var dtype: DType

    /// The integer range of `dtype`.
    var range: ClosedRange<Int32> {
        switch dtype {
        case .int8: return -128...127
        case .uint8: return 0...255
        default: return -32768...32767
        }
    }

    /// TFLite's quantization of a real activation bound: zeroPoint + round(f / scale), half away from zero.
    func quantized(_ real: Float) -> Int32 {
        let steps = (real / scale).rounded()   // scale > 0: finite or ±inf, held within ±2^30
        return zeroPoint + Int32(Swift.min(Swift.max(steps, -0x1p30), 0x1p30))
    }
}

extension TranslationContext {
    /// True when tensor `index` is an int8/uint8/int16 tensor with quantization parameters.
    func isQuantizedInteger(_ index: Int) -> Bool {
        guard index >= 0, let quantization = tensor(index).quantization, quantization.isPresent,
              let dtype = TensorData.dtype(tensor(index).typeCode) else { return false }
        return dtype == .int8 || dtype == .uint8 || dtype == .int16
    }

    /// True when `op` computes on quantized integer tensors (its first output is one).
    func computesInIntegers(_ op: TFLiteOperator) -> Bool {
        guard let out = op.outputs.first else { return false }
        return isQuantizedInteger(out)
    }

    /// The per-tensor quantization of tensor `index`, or an error naming it.
    func quantization(_ index: Int) throws -> TensorQuantization {
        let tensor = tensor(index)
        guard isQuantizedInteger(index), let q = tensor.quantization, let dtype = TensorData.dtype(tensor.typeCode),
              q.scale.count == 1, q.zeroPoint.count <= 1 else {
            throw EdgeflowError(.unsupported, "\(opDescription): tensor '\(tensor.name)' is not an int8/uint8/int16 "
                + "tensor quantized per tensor")
        }
        let zeroPoint = q.zeroPoint.first ?? 0
        guard q.scale[0].isFinite, q.scale[0] > 0, let narrow = Int32(exactly: zeroPoint),
              TensorQuantization(scale: 1, zeroPoint: 0, dtype: dtype).range.contains(narrow) else {
            throw EdgeflowError(.invalidModel, "\(opDescription): tensor '\(tensor.name)' has scale \(q.scale[0]) "
                + "and zero point \(zeroPoint)")
        }
        return TensorQuantization(scale: q.scale[0], zeroPoint: narrow, dtype: dtype)
    }

    /// The clamp `activation` (ActivationFunctionType) leaves on `output`'s integers.
    func activationRange(_ activation: Int8, _ output: TensorQuantization) throws -> ClosedRange<Int32> {
        let full = output.range
        switch activation {
        case 0, 4, 5: return full   // TANH and SIGN_BIT: no clamp, as LiteRT
        case 1: return Swift.max(full.lowerBound, output.quantized(0))...full.upperBound
        case 2: return clamped(output.quantized(-1), output.quantized(1), full)
        case 3: return clamped(output.quantized(0), output.quantized(6), full)
        default:
            throw EdgeflowError(.unsupported, "\(opDescription): fused activation \(activation) on a quantized "
                + "tensor is not supported (Edgeflow reads NONE, RELU, RELU_N1_TO_1 and RELU6 there, and leaves TANH "
                + "and SIGN_BIT unapplied as LiteRT does)")
        }
    }

    private func clamped(_ low: Int32, _ high: Int32, _ full: ClosedRange<Int32>) -> ClosedRange<Int32> {
        let lower = Swift.max(full.lowerBound, low), upper = Swift.min(full.upperBound, high)
        return lower...Swift.max(lower, upper)
    }

    /// A scalar initializer of an integer dtype holding `value` (in its range).
    func scalar(_ value: Int32, _ dtype: DType, hint: String) throws -> String {
        addInitializer(try Kernels.cast(Tensor(shape: [], scalars: [value]), to: dtype), hint: hint)
    }

    /// An int32 scalar initializer.
    func int32(_ value: Int32, hint: String) -> String {
        addInitializer(Tensor(shape: [], scalars: [value]), hint: hint)
    }

    /// Emits FixedPointRequantize of the int32 `value`: each real multiplier (one, or one per
    /// index of `axis`) made into TFLite's Q31 multiplier and shift, plus `zeroPoint`, clamped
    /// to `clamp`, as `dtype`. Returns the output (`output` when given).
    @discardableResult
    func requantize(_ value: String, by reals: [Double], axis: Int = 1, zeroPoint: Int32 = 0,
                    clamp: ClosedRange<Int32>, dtype: DType, output: String? = nil) throws -> String {
        let pairs = try reals.map { try fixedPoint($0) }
        return requantize(value, multipliers: pairs.map(\.multiplier), shifts: pairs.map(\.shift), axis: axis,
                          zeroPoint: zeroPoint, clamp: clamp, dtype: dtype, output: output)
    }

    /// TFLite's Q31 multiplier and shift of `real`, or an error naming the operator.
    func fixedPoint(_ real: Double) throws -> (multiplier: Int32, shift: Int32) {
        guard let pair = Kernels.quantizeMultiplier(real) else {
            throw EdgeflowError(.unsupported, "\(opDescription): the rescaling factor \(real) of its quantized "
                + "tensors is outside what TFLite's fixed-point arithmetic holds")
        }
        return pair
    }

    /// FixedPointRequantize with multipliers and shifts already in TFLite's fixed-point form.
    @discardableResult
    func requantize(_ value: String, multipliers: [Int32], shifts: [Int32], axis: Int = 1, zeroPoint: Int32 = 0,
                    clamp: ClosedRange<Int32>, dtype: DType, output: String? = nil) -> String {
        let count = [multipliers.count]
        return emit("FixedPointRequantize", [
            value, addInitializer(Tensor(shape: count, scalars: multipliers), hint: "\(value)/multipliers"),
            addInitializer(Tensor(shape: count, scalars: shifts), hint: "\(value)/shifts"),
        ], ["axis": .int(axis), "zero_point": .int(Int(zeroPoint)), "min": .int(Int(clamp.lowerBound)),
            "max": .int(Int(clamp.upperBound)), "to": .int(OnnxDataType.code(dtype))],
            domain: "ai.edgeflow", output: output, hint: value)
    }

    /// TFLite's float requantization of int32 `value` (its int8 FULLY_CONNECTED): each element
    /// times its real factor in double (one, or one per index of the last axis), rounded half
    /// away from zero, plus `zeroPoint`, clamped to `clamp`, as `dtype`. Every step is exact in
    /// float64 for int32 inputs, so the result is TFLite's `round(double(acc) · scale)`.
    func roundingRequantize(_ value: String, by reals: [Double], zeroPoint: Int32, clamp: ClosedRange<Int32>,
                            dtype: DType, output: String? = nil) -> String {
        let wide = emit("Cast", [value], ["to": .int(OnnxDataType.code(.float64))], hint: value)
        let scales = addInitializer(Tensor(shape: reals.count == 1 ? [] : [reals.count], scalars: reals),
                                    hint: "\(value)/scales")
        var rounded = roundedHalfAway(emit("Mul", [wide, scales], hint: value))
        func double(_ x: Int32, _ hint: String) -> String {
            addInitializer(Tensor(shape: [], scalars: [Double(x)]), hint: hint)
        }
        if zeroPoint != 0 { rounded = emit("Add", [rounded, double(zeroPoint, "zero_point")], hint: value) }
        let clamped = emit("Clip", [rounded, double(clamp.lowerBound, "min"), double(clamp.upperBound, "max")],
                           hint: value)
        return emit("Cast", [clamped], ["to": .int(OnnxDataType.code(dtype))], output: output, hint: value)
    }

    /// sign(v) · floor(|v| + 0.5) of a float64 value: std::round, exact for values that came from
    /// float32 or int32.
    func roundedHalfAway(_ value: String) -> String {
        let half = addInitializer(Tensor(shape: [], scalars: [0.5]), hint: "half")
        let magnitude = emit("Floor", [emit("Add", [emit("Abs", [value], hint: value), half], hint: value)],
                             hint: value)
        return emit("Mul", [emit("Sign", [value], hint: value), magnitude], hint: value)
    }

    /// (x − zeroPoint) as int32, optionally times 2^leftShift (TFLite's integer add and sub).
    func widened(_ value: String, _ q: TensorQuantization, leftShift: Int32 = 0) -> String {
        var result = emit("Cast", [value], ["to": .int(OnnxDataType.code(.int32))], hint: value)
        if q.zeroPoint != 0 { result = emit("Sub", [result, int32(q.zeroPoint, hint: "zero_point")], hint: value) }
        if leftShift > 0 { result = emit("Mul", [result, int32(1 << leftShift, hint: "left_shift")], hint: value) }
        return result
    }
}
