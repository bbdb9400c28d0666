// Element types a tensor can hold, with their sizes and names in numpy and in the archive.

/// The element type of a tensor.
///
/// Raw values are the names used in the archive's JSON graph and in messages.
///
/// The small ONNX types (docs/numerics.md, "Small types") hold ONE element per byte in memory:
/// the 8-bit float codes as they are (`SmallFloatFormat`), float4e2m1 as its 4-bit code in the
/// low nibble, int4/int2 sign-extended to the whole byte and uint4/uint2 zero-extended. They are
/// packed two (or four) per byte only in files (`PackedIntegers`); `byteSize` is 1 for all of them.
/// Kernels convert them with `Cast`, `QuantizeLinear` and `DequantizeLinear` and move them as bytes;
/// arithmetic on them is not supported.
public enum DType: String, Codable, CaseIterable, Sendable {
    case float32, float64, float16, bfloat16
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case bool
    case float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz, float8e8m0, float4e2m1
    case int4, uint4, int2, uint2

    /// Bytes per element in memory (the small types take one byte each).
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1: return 1
        case .int4, .uint4, .int2, .uint2: return 1
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// The 8-, 16-, 32- and 64-bit integer types (not the sub-byte ones, which have `isSmall`).
    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    public var isSignedInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64: return true
        default: return false
        }
    }

    /// The small ONNX types: float8 (4 kinds and e8m0), float4e2m1, int4, uint4, int2, uint2.
    public var isSmall: Bool { byteSize == 1 && !isInteger && self != .bool }

    /// The sub-byte integer types, with their width in bits; nil for other types.
    public var subByteIntegerBits: Int? {
        switch self {
        case .int4, .uint4: return 4
        case .int2, .uint2: return 2
        default: return nil
        }
    }

    /// Bits per element in ONNX files and Edgeflow's stored tensors: 4 for int4, uint4 and
    /// float4e2m1, 2 for int2 and uint2, `byteSize * 8` otherwise.
    public var storedBits: Int {
        switch self {
        case .int4, .uint4, .float4e2m1: return 4
        case .int2, .uint2: return 2
        default: return byteSize * 8
        }
    }

    /// The numpy `descr` string (little-endian) used in `.npy` headers, e.g. `<f4`.
    /// bfloat16 has no numpy equivalent and is stored as raw `<u2`; the small types as their
    /// in-memory byte (int4/int2 as `|i1` values, the others as `|u1`).
    public var numpyDescr: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .float16: return "<f2"
        case .bfloat16: return "<u2"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .uint32: return "<u4"
        case .int64: return "<i8"
        case .uint64: return "<u8"
        case .bool: return "|b1"
        case .int4, .int2: return "|i1"
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1, .uint4, .uint2:
            return "|u1"
        }
    }

    /// The dtype for a numpy `descr` string, or nil when Edgeflow has no such type.
    public init?(numpyDescr descr: String) {
        let normalized = descr.replacingOccurrences(of: "=", with: "<")
        let table: [String: DType] = [
            "<f4": .float32, "<f8": .float64, "<f2": .float16,
            "|i1": .int8, "<i1": .int8, "|u1": .uint8, "<u1": .uint8,
            "<i2": .int16, "<u2": .uint16, "<i4": .int32, "<u4": .uint32,
            "<i8": .int64, "<u8": .uint64, "|b1": .bool, "<b1": .bool,
        ]
        guard let type = table[normalized] else { return nil }
        self = type
    }
}
