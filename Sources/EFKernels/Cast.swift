// Cast between every pair of DTypes.
//
// Rules (chosen to match onnxruntime on x86-64, which is what ONNX models are validated with):
// - float → float: round to nearest even (float16/bfloat16 overflow to ±inf, NaN stays NaN).
// - float → integer: truncate toward zero. For int32/int64 targets NaN, ±inf and values out of
//   range give the type's minimum (the x86 "integer indefinite" value). 8- and 16-bit targets
//   take the int32 result and wrap it (300.7 → uint8 44, -1.5 → uint8 255); uint32 and uint64
//   take the int64 result and wrap it (-1 → max).
// - integer → integer: two's-complement wrap (C conversion); integer → float: nearest.
// - anything → bool: `x != 0` (NaN → true); bool → anything: 0 or 1.
// - the small types (float8, float4e2m1, int4/uint4/int2/uint2): CastSmallTypes.swift.

import EFCore

/// A source element read in its widest exact form.
enum CastValue {
    case float(Double)
    case signed(Int64)
    case unsigned(UInt64)
    case bool(Bool)
}

protocol CastSource: TensorElement { var castValue: CastValue { get } }
protocol CastTarget: TensorElement { init(castValue: CastValue) }

extension Float: CastSource { var castValue: CastValue { .float(Double(self)) } }
extension Double: CastSource { var castValue: CastValue { .float(self) } }
extension Float16: CastSource { var castValue: CastValue { .float(Double(self)) } }
extension BFloat16: CastSource { var castValue: CastValue { .float(Double(floatValue)) } }
extension Int8: CastSource { var castValue: CastValue { .signed(Int64(self)) } }
extension Int16: CastSource { var castValue: CastValue { .signed(Int64(self)) } }
extension Int32: CastSource { var castValue: CastValue { .signed(Int64(self)) } }
extension Int64: CastSource { var castValue: CastValue { .signed(self) } }
extension UInt8: CastSource { var castValue: CastValue { .unsigned(UInt64(self)) } }
extension UInt16: CastSource { var castValue: CastValue { .unsigned(UInt64(self)) } }
extension UInt32: CastSource { var castValue: CastValue { .unsigned(UInt64(self)) } }
extension UInt64: CastSource { var castValue: CastValue { .unsigned(self) } }
extension Bool: CastSource { var castValue: CastValue { .bool(self) } }

/// float → int64 with the x86 conversion rule (NaN and out of range → Int64.min).
@inline(__always) private func indefiniteInt64(_ x: Double) -> Int64 {
    guard x.isFinite, x > -9.3e18, x < 9.2e18 else { return Int64.min }
    return Int64(x.rounded(.towardZero))
}

/// float → int32 with the x86 conversion rule (NaN and out of range → Int32.min).
@inline(__always) private func indefiniteInt32(_ x: Double) -> Int32 {
    let t = x.rounded(.towardZero)
    guard x.isFinite, t >= -2147483648.0, t <= 2147483647.0 else { return Int32.min }
    return Int32(t)
}

extension CastValue {
    @inline(__always) var asDouble: Double {
        switch self {
        case .float(let v): return v
        case .signed(let v): return Double(v)
        case .unsigned(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        }
    }
    /// The value as a two's-complement bit pattern, floats via the int32 rule (narrow targets).
    @inline(__always) var narrowBits: Int64 {
        switch self {
        case .float(let v): return Int64(indefiniteInt32(v))
        case .signed(let v): return v
        case .unsigned(let v): return Int64(bitPattern: v)
        case .bool(let v): return v ? 1 : 0
        }
    }
    /// The value as a two's-complement bit pattern, floats via the int64 rule (wide targets).
    @inline(__always) var wideBits: Int64 {
        switch self {
        case .float(let v): return indefiniteInt64(v)
        case .signed(let v): return v
        case .unsigned(let v): return Int64(bitPattern: v)
        case .bool(let v): return v ? 1 : 0
        }
    }
}

extension Float: CastTarget {
    init(castValue: CastValue) {
        switch castValue {
        case .signed(let v): self = Float(v)
        case .unsigned(let v): self = Float(v)
        default: self = Float(castValue.asDouble)
        }
    }
}
extension Double: CastTarget { init(castValue: CastValue) { self = castValue.asDouble } }
extension Float16: CastTarget { init(castValue: CastValue) { self = Float16(castValue.asDouble) } }
extension BFloat16: CastTarget { init(castValue: CastValue) { self = BFloat16(Float(castValue: castValue)) } }
extension Int8: CastTarget { init(castValue: CastValue) { self = Int8(truncatingIfNeeded: castValue.narrowBits) } }
extension Int16: CastTarget { init(castValue: CastValue) { self = Int16(truncatingIfNeeded: castValue.narrowBits) } }
extension UInt8: CastTarget { init(castValue: CastValue) { self = UInt8(truncatingIfNeeded: castValue.narrowBits) } }
extension UInt16: CastTarget { init(castValue: CastValue) { self = UInt16(truncatingIfNeeded: castValue.narrowBits) } }
extension Int32: CastTarget {
    init(castValue: CastValue) {
        if case .float(let v) = castValue { self = indefiniteInt32(v) } else {
            self = Int32(truncatingIfNeeded: castValue.wideBits)
        }
    }
}
extension Int64: CastTarget { init(castValue: CastValue) { self = castValue.wideBits } }
extension UInt32: CastTarget { init(castValue: CastValue) { self = UInt32(truncatingIfNeeded: castValue.wideBits) } }
extension UInt64: CastTarget { init(castValue: CastValue) { self = UInt64(bitPattern: castValue.wideBits) } }
extension Bool: CastTarget {
    init(castValue: CastValue) {
        switch castValue {
        case .float(let v): self = v != 0
        case .signed(let v): self = v != 0
        case .unsigned(let v): self = v != 0
        case .bool(let v): self = v
        }
    }
}

extension Kernels {
    /// Converts `x` to `dtype` elementwise (rules in the file header). Same shape.
    /// - Parameters:
    ///   - saturate: ONNX Cast's `saturate` for float8 targets (overflow → largest finite value).
    ///   - roundMode: ONNX Cast's `round_mode` for float8e8m0 targets.
    public static func cast(_ x: Tensor, to dtype: DType, saturate: Bool = true,
                            roundMode: SmallFloatFormat.E8M0Rounding = .up) throws -> Tensor {
        if x.dtype == dtype { return x }
        if x.dtype.isSmall || dtype.isSmall {
            return try castSmallTypes(x, to: dtype, saturate: saturate, roundMode: roundMode)
        }
        let out = try makeOutput(dtype, x.shape, "cast")
        if convertHalfDirectly(x, out) { return out }
        switch x.dtype {
        case .float32: castFrom(x, Float.self, out)
        case .float64: castFrom(x, Double.self, out)
        case .float16: castFrom(x, Float16.self, out)
        case .bfloat16: castFrom(x, BFloat16.self, out)
        case .int8: castFrom(x, Int8.self, out)
        case .int16: castFrom(x, Int16.self, out)
        case .int32: castFrom(x, Int32.self, out)
        case .int64: castFrom(x, Int64.self, out)
        case .uint8: castFrom(x, UInt8.self, out)
        case .uint16: castFrom(x, UInt16.self, out)
        case .uint32: castFrom(x, UInt32.self, out)
        case .uint64: castFrom(x, UInt64.self, out)
        case .bool: castFrom(x, Bool.self, out)
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            preconditionFailure("small types are cast by castSmallTypes")
        }
        return out
    }

    /// Fast paths between float32 and the half types (the conversions kernels use to compute
    /// half-precision tensors in float32); same results as the general path.
    private static func convertHalfDirectly(_ x: Tensor, _ out: Tensor) -> Bool {
        let n = x.count
        switch (x.dtype, out.dtype) {
        case (.float32, .float16):
            let src = x.elements(Float.self), dst = out.mutableElements(Float16.self)
            for i in 0..<n { dst[i] = Float16(src[i]) }
        case (.float16, .float32):
            let src = x.elements(Float16.self), dst = out.mutableElements(Float.self)
            for i in 0..<n { dst[i] = Float(src[i]) }
        case (.float32, .bfloat16):
            let src = x.elements(Float.self), dst = out.mutableElements(BFloat16.self)
            for i in 0..<n { dst[i] = BFloat16(src[i]) }
        case (.bfloat16, .float32):
            let src = x.elements(BFloat16.self), dst = out.mutableElements(Float.self)
            for i in 0..<n { dst[i] = src[i].floatValue }
        default:
            return false
        }
        return true
    }

    private static func castFrom<S: CastSource>(_ x: Tensor, _ s: S.Type, _ out: Tensor) {
        switch out.dtype {
        case .float32: castLoop(x, S.self, out, Float.self)
        case .float64: castLoop(x, S.self, out, Double.self)
        case .float16: castLoop(x, S.self, out, Float16.self)
        case .bfloat16: castLoop(x, S.self, out, BFloat16.self)
        case .int8: castLoop(x, S.self, out, Int8.self)
        case .int16: castLoop(x, S.self, out, Int16.self)
        case .int32: castLoop(x, S.self, out, Int32.self)
        case .int64: castLoop(x, S.self, out, Int64.self)
        case .uint8: castLoop(x, S.self, out, UInt8.self)
        case .uint16: castLoop(x, S.self, out, UInt16.self)
        case .uint32: castLoop(x, S.self, out, UInt32.self)
        case .uint64: castLoop(x, S.self, out, UInt64.self)
        case .bool: castLoop(x, S.self, out, Bool.self)
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            preconditionFailure("small types are cast by castSmallTypes")
        }
    }

    private static func castLoop<S: CastSource, D: CastTarget>(_ x: Tensor, _ s: S.Type, _ out: Tensor, _ d: D.Type) {
        let src = x.elements(S.self), dst = out.mutableElements(D.self)
        for i in 0..<x.count { dst[i] = D(castValue: src[i].castValue) }
    }
}
