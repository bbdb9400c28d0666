// Element types a tensor can hold, with their sizes and names in numpy and in the archive.

/// The element type of a tensor.
///
/// Raw values are the names used in the archive's JSON graph and in messages.
public enum DType: String, Codable, CaseIterable, Sendable {
    case float32, float64, float16, bfloat16
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
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

    public var isInteger: Bool { !isFloatingPoint && self != .bool }

    public var isSignedInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64: return true
        default: return false
        }
    }

    /// The numpy `descr` string (little-endian) used in `.npy` headers, e.g. `<f4`.
    /// bfloat16 has no numpy equivalent and is stored as raw `<u2`.
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
