// A bounds-checked reader of the protobuf wire format (varints, fixed 32/64-bit values,
// length-delimited fields, packed and unpacked repeated scalars). Every length is checked
// against the bytes left in the enclosing message before anything is read or allocated, so a
// truncated or corrupt file gives a `WireError` with its byte offset, never a crash.

import EFCore
import Foundation

/// Protobuf wire types.
enum WireType: UInt8 {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}

/// A decoding failure: the absolute byte offset, what is wrong, and the path of fields that led
/// there (outermost first), e.g. `graph.node[3].attribute[0]`.
struct WireError: Error {
    var offset: Int
    var problem: String
    var path: [String] = []

    /// The error as shown to the user, naming the outermost message type being decoded.
    func edgeflowError(decoding message: String) -> EdgeflowError {
        let location = ([message] + path).joined(separator: ".")
        return EdgeflowError(.invalidModel,
            "truncated or corrupt protobuf at byte offset \(offset) (in \(location)): \(problem)",
            hint: "the file is damaged or not an ONNX file; export or download it again")
    }
}

/// Reads one protobuf message (or a nested one) from a byte buffer. Offsets are absolute
/// positions in the whole buffer, so nested readers report where in the file a problem is.
struct WireReader {
    /// Nested messages deeper than this are refused (protects the stack from hostile files).
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int
    private let depth: Int

    /// A reader over the whole buffer.
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(bytes, from: 0, to: bytes.count, depth: 0)
    }

    private init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, depth: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.depth = depth
    }

    var isAtEnd: Bool { position >= end }
    private var remaining: Int { end - position }

    private func failure(_ problem: String, at offset: Int? = nil) -> WireError {
        WireError(offset: offset ?? position, problem: problem)
    }

    // MARK: Scalars

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

    /// A varint read as a two's-complement int64 (protobuf `int64`/`int32`/enum fields).
    mutating func readInt() throws -> Int { Int(truncatingIfNeeded: try readVarint()) }

    mutating func readFixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw failure("truncated 32-bit value: \(remaining) bytes left") }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    mutating func readFixed64() throws -> UInt64 {
        guard remaining >= 8 else { throw failure("truncated 64-bit value: \(remaining) bytes left") }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try readFixed64()) }

    /// A field tag. Field number 0 and the deprecated group wire types are errors.
    mutating func readTag() throws -> (field: Int, wireType: WireType) {
        let start = position
        let key = try readVarint()
        let field = key >> 3
        guard field > 0, field <= 0x1FFF_FFFF else { throw failure("invalid field number \(field)", at: start) }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw failure("invalid wire type \(key & 7) for field \(field)", at: start)
        }
        return (Int(field), wireType)
    }

    // MARK: Length-delimited

    /// The byte range of a length-delimited field, checked against the bytes left.
    private mutating func readRange() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw failure("length \(length) exceeds the \(remaining) bytes left", at: start)
        }
        let range = position ..< position + Int(length)
        position = range.upperBound
        return range
    }

    /// The raw bytes of a length-delimited field (valid while the buffer is).
    mutating func readBytes() throws -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[try readRange()])
    }

    mutating func readString() throws -> String { String(decoding: try readBytes(), as: UTF8.self) }
    mutating func readData() throws -> Data { Data(try readBytes()) }

    /// Decodes a nested message with `body`; failures inside get `name` prepended to their path.
    mutating func readMessage<T>(_ name: @autoclosure () -> String,
                                 _ body: (inout WireReader) throws -> T) throws -> T {
        let start = position
        guard depth < WireReader.maximumDepth else {
            throw failure("messages nested more than \(WireReader.maximumDepth) deep", at: start)
        }
        do {
            let range = try readRange()
            var nested = WireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth + 1)
            return try body(&nested)
        } catch var error as WireError {
            error.path.insert(name(), at: 0)
            throw error
        }
    }

    /// Skips a field of an unknown number.
    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readRange()
        case .startGroup, .endGroup: throw failure("protobuf groups (wire type \(wireType.rawValue)) are not used by ONNX")
        }
    }

    /// Complains about a known field that arrived with the wrong wire type.
    func wrongType(_ field: String, _ wireType: WireType) -> WireError {
        failure("field \(field) has unexpected wire type \(wireType.rawValue)")
    }

    // MARK: Repeated scalars (packed or one value per field)

    /// Appends varint values of a repeated int field, packed or not.
    mutating func appendVarints<T>(_ wireType: WireType, to array: inout [T], _ convert: (UInt64) -> T) throws {
        switch wireType {
        case .varint:
            array.append(convert(try readVarint()))
        case .lengthDelimited:
            let range = try readRange()
            var packed = WireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth)
            while !packed.isAtEnd { array.append(convert(try packed.readVarint())) }
        default:
            throw failure("repeated varint field has wire type \(wireType.rawValue)")
        }
    }

    /// Appends fixed-width values (4 or 8 bytes) of a repeated field, packed or not.
    mutating func appendFixed<T>(_ wireType: WireType, width: Int, to array: inout [T],
                                 _ load: (inout WireReader) throws -> T) throws {
        let single: WireType = width == 4 ? .fixed32 : .fixed64
        if wireType == single {
            array.append(try load(&self))
            return
        }
        guard wireType == .lengthDelimited else {
            throw failure("repeated \(width * 8)-bit field has wire type \(wireType.rawValue)")
        }
        let start = position
        let range = try readRange()
        guard range.count % width == 0 else {
            throw failure("packed \(width * 8)-bit field of \(range.count) bytes is not a multiple of \(width)", at: start)
        }
        array.reserveCapacity(array.count + range.count / width)
        var packed = WireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth)
        while !packed.isAtEnd { array.append(try load(&packed)) }
    }
}
