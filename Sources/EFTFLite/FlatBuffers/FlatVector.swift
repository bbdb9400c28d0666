// A vector inside a FlatBuffer whose length was checked against the buffer: elements are read
// by index, and copying elements out is charged to the buffer's element budget first.

import EFCore

/// A checked vector of fixed-size elements (scalars, or 4-byte offsets to tables/strings).
public struct FlatVector {
    let buffer: FlatBuffer
    /// Absolute position of element 0.
    let start: Int
    public let count: Int
    let elementSize: Int
    /// Depth of the table holding the vector.
    let depth: Int
    let what: String

    /// The byte range of the elements in the buffer.
    public var byteRange: Range<Int> { start..<(start + count * elementSize) }

    private func position(_ index: Int) throws -> Int {
        guard index >= 0, index < count else {
            throw EdgeflowError(.invalidModel, "\(what): index \(index) is outside its \(count) elements")
        }
        return start + index * elementSize
    }

    /// Element `index` as a table.
    public func table(_ index: Int) throws -> FlatTable {
        let at = try position(index)
        let target = at + Int(try buffer.uint32(at: at))
        return try buffer.table(at: target, depth: depth + 1, what: "\(what)[\(index)]")
    }

    /// Element `index` as a string.
    public func string(_ index: Int) throws -> String {
        let at = try position(index)
        let target = at + Int(try buffer.uint32(at: at))
        let length = Int(try buffer.uint32(at: target))
        try buffer.check(target + 4, length, "\(what)[\(index)] (a \(length)-byte string)")
        try buffer.charge(length, what)
        return String(decoding: buffer.bytes[(target + 4)..<(target + 4 + length)], as: UTF8.self)
    }

    /// The vector's bytes as a UTF-8 string (for a [ubyte] string field).
    func string() throws -> String {
        try buffer.charge(count, what)
        return String(decoding: buffer.bytes[byteRange], as: UTF8.self)
    }

    /// All elements of a vector of int32.
    public func int32s() throws -> [Int32] {
        try buffer.charge(count, what)
        return try (0..<count).map { Int32(bitPattern: try buffer.uint32(at: try position($0))) }
    }

    /// All elements of a vector of int64.
    public func int64s() throws -> [Int64] {
        try buffer.charge(count, what)
        return try (0..<count).map { Int64(bitPattern: try buffer.uint64(at: try position($0))) }
    }

    /// All elements of a vector of float32.
    public func float32s() throws -> [Float] {
        try buffer.charge(count, what)
        return try (0..<count).map { Float(bitPattern: try buffer.uint32(at: try position($0))) }
    }

    /// All elements of a vector of uint8.
    public func uint8s() throws -> [UInt8] {
        try buffer.charge(count, what)
        return Array(buffer.bytes[byteRange])
    }

    /// All elements of a vector of uint16.
    public func uint16s() throws -> [UInt16] {
        try buffer.charge(count, what)
        return try (0..<count).map { try buffer.uint16(at: try position($0)) }
    }
}
