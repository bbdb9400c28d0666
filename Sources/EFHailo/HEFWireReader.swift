// A small bounds-checked protobuf wire reader for the HEF's `ProtoHEFHef` message. It reads
// fields one by one and can skip a length-delimited field without touching its bytes, so the
// bulky parts of a HEF (context operations, the compiler's mapping blob) cost nothing. Every
// length is checked against the bytes left in the enclosing message; a bad file gives an
// `EdgeflowError` naming the region "HEF proto", the message being decoded and the file offset.

import EFCore

/// Reads one protobuf message (or a nested one) from the proto region of a HEF.
struct HEFWireReader {
    /// Nested messages deeper than this are refused (the HEF schema nests about 10 deep).
    static let maximumDepth = 32

    let bytes: [UInt8]
    /// Offset of `bytes[0]` in the file, for messages.
    let fileOffset: Int
    private(set) var position: Int
    let end: Int
    /// The message being decoded, e.g. `ProtoHEFEdgeLayer`, for messages.
    let message: String
    let depth: Int

    init(_ bytes: [UInt8], fileOffset: Int, message: String) {
        self.init(bytes, fileOffset: fileOffset, from: 0, to: bytes.count, message: message, depth: 0)
    }

    private init(_ bytes: [UInt8], fileOffset: Int, from start: Int, to end: Int, message: String, depth: Int) {
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.position = start
        self.end = end
        self.message = message
        self.depth = depth
    }

    var isAtEnd: Bool { position >= end }

    func failure(_ problem: String, at offset: Int? = nil) -> EdgeflowError {
        EdgeflowError(.invalidModel,
            "HEF proto: \(problem) at file offset \(fileOffset + (offset ?? position)) (in \(message))",
            hint: "the file is damaged or not a Hailo HEF; copy or compile it again")
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wireType: Int)? {
        guard !isAtEnd else { return nil }
        let start = position
        let key = try readVarint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else { throw failure("invalid field number \(number)", at: start) }
        let wireType = Int(key & 7)
        guard [0, 1, 2, 5].contains(wireType) else {
            throw failure("unsupported wire type \(wireType) for field \(number)", at: start)
        }
        return (Int(number), wireType)
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw failure("truncated varint", at: start) }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw failure("varint longer than 10 bytes", at: start) }
        }
    }

    /// A varint field that must fit in `Int` (counts, sizes, indices, enums).
    mutating func readInt(_ field: String) throws -> Int {
        let start = position
        let value = try readVarint()
        guard let result = Int(exactly: value) else {
            // enums and int32 fields are sign-extended to 10 bytes when negative
            if value >> 31 == 0x1_FFFF_FFFF { return Int(Int32(truncatingIfNeeded: value)) }
            throw failure("\(field) = \(value) does not fit in a signed 64-bit integer", at: start)
        }
        return result
    }

    mutating func readBool() throws -> Bool { try readVarint() != 0 }

    private mutating func fixedBytes(_ count: Int) throws -> UInt64 {
        guard end - position >= count else { throw failure("truncated \(count * 8)-bit value") }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += count
        return value
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: UInt32(try fixedBytes(4))) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try fixedBytes(8)) }

    /// The range of a length-delimited field's payload, after checking it fits.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw failure("field length \(length) runs past the end of the message (\(end - position) bytes left)",
                          at: start)
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// A UTF-8 string field (invalid sequences are replaced, never refused).
    mutating func readString() throws -> String {
        String(decoding: bytes[try readLengthDelimited()], as: UTF8.self)
    }

    /// A reader over an embedded message of type `type`.
    mutating func readMessage(_ type: String) throws -> HEFWireReader {
        let range = try readLengthDelimited()
        guard depth < Self.maximumDepth else { throw failure("messages nested more than \(Self.maximumDepth) deep") }
        return HEFWireReader(bytes, fileOffset: fileOffset, from: range.lowerBound, to: range.upperBound,
                             message: "\(message).\(type)", depth: depth + 1)
    }

    /// A repeated double field, packed (wire type 2) or one value (wire type 1).
    mutating func readDoubles(wireType: Int, into values: inout [Double]) throws {
        if wireType == 1 {
            values.append(try readDouble())
            return
        }
        guard wireType == 2 else { throw failure("repeated double with wire type \(wireType)") }
        let range = try readLengthDelimited()
        guard range.count % 8 == 0 else { throw failure("packed doubles of \(range.count) bytes") }
        var inner = HEFWireReader(bytes, fileOffset: fileOffset, from: range.lowerBound, to: range.upperBound,
                                  message: message, depth: depth)
        while !inner.isAtEnd { values.append(try inner.readDouble()) }
    }

    /// Skips a field's value of the given wire type without reading it.
    mutating func skip(wireType: Int) throws {
        switch wireType {
        case 0: _ = try readVarint()
        case 1: _ = try fixedBytes(8)
        case 2: _ = try readLengthDelimited()
        case 5: _ = try fixedBytes(4)
        default: throw failure("cannot skip wire type \(wireType)")
        }
    }

    /// Fails unless the field has the expected wire type.
    func expect(_ wireType: Int, _ expected: Int, _ field: String) throws {
        guard wireType == expected else {
            throw failure("field \(field) has wire type \(wireType), expected \(expected)")
        }
    }
}
