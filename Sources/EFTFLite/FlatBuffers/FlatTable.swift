// One table of a FlatBuffer: fields found through its vtable, each read only after its bytes
// were checked to lie inside the table (scalars) or the buffer (offsets to tables, vectors and
// strings). Field numbers are the schema's field ids (slot 4 + 2·id of the vtable).

import EFCore

/// A table inside a `FlatBuffer`, with its vtable already checked.
public struct FlatTable {
    let buffer: FlatBuffer
    /// Absolute position of the table.
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int
    /// Nesting depth below the root table.
    let depth: Int

    /// The absolute position of field `id`, nil when absent (not in the vtable or 0 there).
    func fieldPosition(_ id: Int, size: Int) throws -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.uint16(at: vtable + slot))
        guard offset != 0 else { return nil }
        guard offset + size <= tableSize else {
            throw EdgeflowError(.invalidModel, "field \(id) of the table at \(position) lies outside the table "
                + "(\(offset)+\(size) > \(tableSize) bytes)")
        }
        return position + offset
    }

    /// An unsigned 8-bit field (bool, ubyte or byte enums).
    public func uint8(_ id: Int, default value: UInt8 = 0) throws -> UInt8 {
        guard let at = try fieldPosition(id, size: 1) else { return value }
        return try buffer.uint8(at: at)
    }

    public func bool(_ id: Int, default value: Bool = false) throws -> Bool {
        try uint8(id, default: value ? 1 : 0) != 0
    }

    public func int8(_ id: Int, default value: Int8 = 0) throws -> Int8 {
        Int8(bitPattern: try uint8(id, default: UInt8(bitPattern: value)))
    }

    public func int32(_ id: Int, default value: Int32 = 0) throws -> Int32 {
        guard let at = try fieldPosition(id, size: 4) else { return value }
        return Int32(bitPattern: try buffer.uint32(at: at))
    }

    public func uint32(_ id: Int, default value: UInt32 = 0) throws -> UInt32 {
        guard let at = try fieldPosition(id, size: 4) else { return value }
        return try buffer.uint32(at: at)
    }

    public func uint64(_ id: Int, default value: UInt64 = 0) throws -> UInt64 {
        guard let at = try fieldPosition(id, size: 8) else { return value }
        return try buffer.uint64(at: at)
    }

    public func float32(_ id: Int, default value: Float = 0) throws -> Float {
        guard let at = try fieldPosition(id, size: 4) else { return value }
        return Float(bitPattern: try buffer.uint32(at: at))
    }

    /// The absolute position an offset field points to (forward offsets only, as FlatBuffers
    /// writes them), nil when absent.
    private func target(_ id: Int, _ what: String) throws -> Int? {
        guard let at = try fieldPosition(id, size: 4) else { return nil }
        let offset = Int(try buffer.uint32(at: at))
        let target = at + offset
        try buffer.check(target, 4, "\(what) (field \(id) of the table at \(position))")
        return target
    }

    /// A sub-table field, nil when absent.
    public func table(_ id: Int, _ what: String) throws -> FlatTable? {
        guard let at = try target(id, what) else { return nil }
        return try buffer.table(at: at, depth: depth + 1, what: what)
    }

    /// A vector field of `elementSize`-byte elements (4 for tables and strings), nil when absent.
    public func vector(_ id: Int, elementSize: Int, _ what: String) throws -> FlatVector? {
        guard let at = try target(id, what) else { return nil }
        let count = Int(try buffer.uint32(at: at))
        let bytes = try CheckedSize.multiply(count, elementSize, what, kind: .invalidModel)
        try buffer.check(at + 4, bytes, "\(what) (\(count) elements)")
        return FlatVector(buffer: buffer, start: at + 4, count: count, elementSize: elementSize,
                          depth: depth, what: what)
    }

    /// A string field (UTF-8, invalid sequences replaced), nil when absent.
    public func string(_ id: Int, _ what: String) throws -> String? {
        guard let vector = try vector(id, elementSize: 1, what) else { return nil }
        return try vector.string()
    }
}
