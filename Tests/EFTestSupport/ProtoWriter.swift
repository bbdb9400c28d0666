// A tiny protobuf wire-format writer for building test inputs (ONNX models, tensors, corrupt
// bytes) in Swift test code.

/// Appends protobuf fields to a byte array.
public struct ProtoWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// The varint encoding of `value`.
    public static func varint(_ value: UInt64) -> [UInt8] {
        var result: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            result.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        result.append(UInt8(rest))
        return result
    }

    /// A field key: field number and wire type.
    public mutating func tag(_ field: Int, wireType: UInt8) {
        bytes += ProtoWriter.varint(UInt64(field) << 3 | UInt64(wireType))
    }

    /// An int64/int32/enum field (negative values as 10-byte two's complement, as protobuf does).
    public mutating func int(_ field: Int, _ value: Int) {
        tag(field, wireType: 0)
        bytes += ProtoWriter.varint(UInt64(bitPattern: Int64(value)))
    }

    public mutating func uint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        bytes += ProtoWriter.varint(value)
    }

    public mutating func float(_ field: Int, _ value: Float) {
        tag(field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    public mutating func double(_ field: Int, _ value: Double) {
        tag(field, wireType: 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A length-delimited field holding `data`.
    public mutating func bytes(_ field: Int, _ data: [UInt8]) {
        tag(field, wireType: 2)
        bytes += ProtoWriter.varint(UInt64(data.count))
        bytes += data
    }

    public mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }

    /// A nested message written by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        var nested = ProtoWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    /// A packed repeated varint field.
    public mutating func packedInts(_ field: Int, _ values: [Int]) {
        bytes(field, values.flatMap { ProtoWriter.varint(UInt64(bitPattern: Int64($0))) })
    }

    /// A packed repeated float field.
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var data: [UInt8] = []
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
        bytes(field, data)
    }

    /// Raw bytes appended as they are (for corrupt input).
    public mutating func raw(_ data: [UInt8]) { bytes += data }
}
