// Swift types that can be the elements of a tensor, tied to their DType.

/// A Swift scalar type stored in tensors. Every DType has exactly one element type.
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Float16: TensorElement { public static var dtype: DType { .float16 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension UInt16: TensorElement { public static var dtype: DType { .uint16 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension UInt32: TensorElement { public static var dtype: DType { .uint32 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension UInt64: TensorElement { public static var dtype: DType { .uint64 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }

/// bfloat16: the upper 16 bits of an IEEE float32. Conversion from Float rounds to nearest even.
public struct BFloat16: TensorElement, Equatable, Hashable {
    public static var dtype: DType { .bfloat16 }
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    public init(_ value: Float) {
        if value.isNaN {
            bitPattern = 0x7FC0
            return
        }
        let bits = value.bitPattern
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        bitPattern = UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
}
