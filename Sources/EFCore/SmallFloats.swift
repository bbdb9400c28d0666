// The 8- and 4-bit float formats of ONNX (float8e4m3fn, float8e4m3fnuz, float8e5m2,
// float8e5m2fnuz, float8e8m0, float4e2m1): decoding a code to its value and encoding a value
// with round to nearest even and the ONNX Cast rules for overflow, infinities and NaN.

/// One small float format: its field widths and which specials it has.
///
/// Codes are one byte (float4e2m1 in the low nibble). Rules, as the ONNX Cast table and
/// ml_dtypes: `fn` formats have no infinities (NaN is the all-ones magnitude, sign kept),
/// `fnuz` formats have neither infinities nor −0 (NaN is 0x80; −0 and values rounding to zero
/// give +0), float8e5m2 is IEEE-like, float4e2m1 has no specials (NaN encodes as −0 like
/// ml_dtypes, infinities saturate), float8e8m0 is an unsigned power of two (0xFF is NaN).
public struct SmallFloatFormat: Sendable {
    public enum Kind: Sendable { case ieee, finite, finiteUnsignedZero, noSpecials, exponentOnly }
    public let exponentBits: Int
    public let mantissaBits: Int
    public let bias: Int
    public let kind: Kind

    public static let e4m3fn = SmallFloatFormat(exponentBits: 4, mantissaBits: 3, bias: 7, kind: .finite)
    public static let e4m3fnuz = SmallFloatFormat(exponentBits: 4, mantissaBits: 3, bias: 8, kind: .finiteUnsignedZero)
    public static let e5m2 = SmallFloatFormat(exponentBits: 5, mantissaBits: 2, bias: 15, kind: .ieee)
    public static let e5m2fnuz = SmallFloatFormat(exponentBits: 5, mantissaBits: 2, bias: 16, kind: .finiteUnsignedZero)
    public static let e8m0 = SmallFloatFormat(exponentBits: 8, mantissaBits: 0, bias: 127, kind: .exponentOnly)
    public static let e2m1 = SmallFloatFormat(exponentBits: 2, mantissaBits: 1, bias: 1, kind: .noSpecials)

    /// The format of a small float dtype, nil for every other dtype.
    public static func of(_ dtype: DType) -> SmallFloatFormat? {
        switch dtype {
        case .float8e4m3fn: return .e4m3fn
        case .float8e4m3fnuz: return .e4m3fnuz
        case .float8e5m2: return .e5m2
        case .float8e5m2fnuz: return .e5m2fnuz
        case .float8e8m0: return .e8m0
        case .float4e2m1: return .e2m1
        default: return nil
        }
    }

    private var signBit: UInt8 { UInt8(1) << UInt8(exponentBits + mantissaBits) }
    private var magnitudeMask: UInt8 { signBit &- 1 }

    /// The largest finite magnitude's code.
    private var maxFiniteMagnitude: UInt8 {
        switch kind {
        case .ieee: return magnitudeMask - UInt8(1 << mantissaBits)   // 0x7B: below the inf/NaN exponent
        case .finite: return magnitudeMask - 1                         // 0x7E: 0x7F is NaN
        case .finiteUnsignedZero, .noSpecials: return magnitudeMask
        case .exponentOnly: return 0xFE
        }
    }

    /// The canonical NaN code for a NaN of the given sign (float4e2m1: −0, see the type doc).
    private func nanCode(negative: Bool) -> UInt8 {
        switch kind {
        case .ieee: return (negative ? signBit : 0) | (magnitudeMask - 1)  // 0x7E / 0xFE
        case .finite: return (negative ? signBit : 0) | magnitudeMask
        case .finiteUnsignedZero: return 0x80
        case .noSpecials: return negative ? 0 : signBit
        case .exponentOnly: return 0xFF
        }
    }

    /// The value of `code` (exact in Double; NaN for NaN codes, ±inf for float8e5m2's infinities).
    public func decode(_ code: UInt8) -> Double {
        if kind == .exponentOnly {
            return code == 0xFF ? .nan : Double(sign: .plus, exponent: Int(code) - bias, significand: 1)
        }
        let negative = code & signBit != 0, magnitude = code & magnitudeMask
        let exponentField = Int(magnitude >> UInt8(mantissaBits)), mantissa = Int(magnitude) & ((1 << mantissaBits) - 1)
        switch kind {
        case .ieee where exponentField == (1 << exponentBits) - 1:
            return mantissa == 0 ? (negative ? -.infinity : .infinity) : .nan
        case .finite where magnitude == magnitudeMask: return .nan
        case .finiteUnsignedZero where code == 0x80: return .nan
        default: break
        }
        let value: Double
        if exponentField == 0 {
            value = Double(sign: .plus, exponent: 1 - bias - mantissaBits, significand: Double(mantissa))
        } else {
            let significand = 1 + Double(mantissa) / Double(1 << mantissaBits)
            value = Double(sign: .plus, exponent: exponentField - bias, significand: significand)
        }
        return negative ? -value : value
    }

    /// The code of `value` rounded to nearest even.
    ///
    /// - Parameter saturate: overflow and infinities give the largest finite value of the sign
    ///   (ONNX Cast `saturate=1`); otherwise they give infinity (float8e5m2) or NaN (fn/fnuz).
    ///   float4e2m1 always saturates. float8e8m0 is encoded with `encodeE8M0`.
    public func encode(_ value: Double, saturate: Bool) -> UInt8 {
        if kind == .exponentOnly { return SmallFloatFormat.encodeE8M0(Float(value), saturate: saturate, mode: .up) }
        let negative = value.sign == .minus
        if value.isNaN { return nanCode(negative: negative) }
        let sign: UInt8 = negative ? signBit : 0
        let magnitude = abs(value)
        var code = maxFiniteMagnitude &+ 1
        if magnitude.isFinite {
            // In units of the last place at exponent e (exact in Double), so subnormals, normals
            // and a carry into the next exponent all come out as ((e − emin) << m) + units.
            let minNormalExponent = 1 - bias
            let e = max(Int(magnitude.exponent), minNormalExponent)
            let scaled = magnitude * Double(sign: .plus, exponent: mantissaBits - e, significand: 1)
            let combined = ((e - minNormalExponent) << mantissaBits) + Int(scaled.rounded(.toNearestOrEven))
            if combined <= Int(maxFiniteMagnitude) { code = UInt8(combined) }
        }
        if code > maxFiniteMagnitude {
            if saturate || kind == .noSpecials { code = maxFiniteMagnitude } else {
                let infinity = magnitudeMask - UInt8(1 << mantissaBits) + 1
                return kind == .ieee ? sign | infinity : nanCode(negative: negative)
            }
        }
        // fnuz formats have no −0: 0x80 is their NaN.
        return code == 0 && kind == .finiteUnsignedZero ? 0 : sign | code
    }

    /// How float8e8m0 rounds a value between two powers of two (ONNX Cast `round_mode`).
    public enum E8M0Rounding: String, Sendable { case up, down, nearest }

    /// float8e8m0 from float32 as onnx.numpy_helper.to_float8e8m0: the float32 exponent field,
    /// rounded by `mode` on the fraction bits; NaN and infinities give 0xFF; `saturate` keeps
    /// values above 2^127 at 0xFE instead of rounding them to 0xFF. The sign is ignored.
    public static func encodeE8M0(_ value: Float, saturate: Bool, mode: E8M0Rounding) -> UInt8 {
        let bits = value.bitPattern
        let exponent = (bits >> 23) & 0xFF
        if exponent == 0xFF { return 0xFF }
        let roundUp: Bool
        switch mode {
        case .down: roundUp = false
        case .up: roundUp = bits & 0x7F_FFFF != 0
        case .nearest:
            let guardBit = bits & 0x40_0000 != 0, round = bits & 0x20_0000 != 0
            let sticky = bits & 0x1F_FFFF != 0
            roundUp = guardBit && (round || sticky || exponent > 0)
        }
        if roundUp && !(saturate && exponent == 0xFE) { return UInt8(truncatingIfNeeded: exponent + 1) }
        return UInt8(exponent)
    }
}

extension DType {
    /// The value of one in-memory byte of a small type (DType's doc comment): the decoded float
    /// for the float formats, the sign-extended or plain integer for int4/int2 and uint4/uint2.
    /// - Precondition: `isSmall`.
    @inline(__always)
    public func smallTypeValue(of byte: UInt8) -> Double {
        if let format = SmallFloatFormat.of(self) { return format.decode(byte) }
        switch self {
        case .int4, .int2: return Double(Int8(bitPattern: byte))
        default: return Double(byte)
        }
    }
}
