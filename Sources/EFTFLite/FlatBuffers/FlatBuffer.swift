// A FlatBuffers buffer read as untrusted data: every offset, vtable and vector length is checked
// against the buffer before it is followed, tables deeper than `maxDepth` are refused (so a
// table that points back at itself cannot recurse forever) and every element count a caller
// allocates for is charged to one budget, so aliased vectors cannot multiply the file's size.

import EFCore

/// The bytes of one FlatBuffers file and the limits of reading it.
public final class FlatBuffer {
    /// The whole file (offsets are relative to its start).
    public let bytes: [UInt8]
    /// How deep tables may nest below the root.
    public let maxDepth: Int
    /// Elements that may still be decoded into arrays (charged by `FlatVector.charge`).
    private var elementBudget: Int

    /// - Parameters:
    ///   - maxDepth: nesting limit of tables below the root.
    ///   - elementBudget: how many vector elements all decoding together may copy out; nil
    ///     for 4 per byte of the file plus 1 Mi (a valid file never copies each element twice).
    public init(bytes: [UInt8], maxDepth: Int = 32, elementBudget: Int? = nil) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.elementBudget = elementBudget ?? (bytes.count.multipliedReportingOverflow(by: 4).partialValue + (1 << 20))
    }

    /// The file identifier (bytes 4..<8), nil when the buffer is shorter than 8 bytes.
    public var fileIdentifier: String? {
        bytes.count >= 8 ? String(decoding: bytes[4..<8], as: UTF8.self) : nil
    }

    /// The root table (the offset in the first 4 bytes).
    /// - Throws: `EdgeflowError(.invalidModel)` when the buffer is too short or the offset is
    ///   outside it.
    public func root() throws -> FlatTable {
        guard bytes.count >= 8 else {
            throw EdgeflowError(.invalidModel, "the FlatBuffer has \(bytes.count) bytes, too short for a root table")
        }
        return try table(at: Int(try uint32(at: 0)), depth: 0, what: "root table")
    }

    // MARK: Checked scalar reads

    /// Throws unless `count` bytes from `offset` lie inside the buffer.
    func check(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw EdgeflowError(.invalidModel, "\(what()): \(count) bytes at offset \(offset) "
                + "lie outside the \(bytes.count)-byte FlatBuffer")
        }
    }

    func uint8(at offset: Int) throws -> UInt8 {
        try check(offset, 1, "a byte")
        return bytes[offset]
    }

    func uint16(at offset: Int) throws -> UInt16 {
        try check(offset, 2, "a 16-bit field")
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int) throws -> UInt32 {
        try check(offset, 4, "a 32-bit field")
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
        return value
    }

    func uint64(at offset: Int) throws -> UInt64 {
        try check(offset, 8, "a 64-bit field")
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
        return value
    }

    /// The table at absolute position `position` (its vtable checked).
    func table(at position: Int, depth: Int, what: @autoclosure () -> String) throws -> FlatTable {
        guard depth <= maxDepth else {
            throw EdgeflowError(.invalidModel, "\(what()): tables nest deeper than \(maxDepth) levels "
                + "(a cyclic or corrupt FlatBuffer)")
        }
        try check(position, 4, what())
        let vtable = position - Int(Int32(bitPattern: try uint32(at: position)))
        try check(vtable, 4, "\(what())'s vtable")
        let vtableSize = Int(try uint16(at: vtable))
        let tableSize = Int(try uint16(at: vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0, tableSize >= 4 else {
            throw EdgeflowError(.invalidModel, "\(what()): vtable of \(vtableSize) bytes for a table of "
                + "\(tableSize) bytes is malformed")
        }
        try check(vtable, vtableSize, "\(what())'s vtable")
        try check(position, tableSize, what())
        return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize,
                         tableSize: tableSize, depth: depth)
    }

    /// Charges `count` decoded elements to the budget.
    func charge(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count <= elementBudget else {
            throw EdgeflowError(.invalidModel, "\(what()): decoding \(count) more elements exceeds the reader's "
                + "budget (vectors shared between many tables?)")
        }
        elementBudget -= count
    }
}
