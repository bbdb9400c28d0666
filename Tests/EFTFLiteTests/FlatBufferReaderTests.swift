// The FlatBuffers reader on small hand-laid buffers: a well-formed one read field by field,
// then each kind of damage (root, vtable, field, vector and string out of range, an offset
// that wraps back towards its own table, a table pointing at itself, tables nested too deep,
// the element budget) refused as invalid data.

import EFCore
import EFTFLite
import XCTest

final class FlatBufferReaderTests: XCTestCase {
    /// A root table with field 0 = [int32] {7, -8, 9} and field 1 = "hello".
    ///   0: root offset 16 · 4: "TFL3" · 8: vtable (8 bytes; table 12 bytes; fields at +4, +8)
    ///   16: table (soffset 8, offset to vector, offset to string) · 28: vector · 44: string
    private func sample() -> [UInt8] {
        var bytes: [UInt8] = []
        func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        func u32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
        }
        u32(16)
        bytes += Array("TFL3".utf8)
        u16(8); u16(12); u16(4); u16(8)
        u32(8); u32(8); u32(20)
        u32(3); u32(7); u32(UInt32(bitPattern: -8)); u32(9)
        u32(5)
        bytes += Array("hello".utf8)
        return bytes
    }

    private func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8((value >> UInt32(8 * index)) & 0xFF) }
    }

    private func read(_ bytes: [UInt8]) throws -> ([Int32], String?) {
        let root = try FlatBuffer(bytes: bytes).root()
        return (try root.vector(0, elementSize: 4, "numbers")?.int32s() ?? [], try root.string(1, "text"))
    }

    private func assertRefused(_ bytes: [UInt8], _ fragment: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try read(bytes), file: file, line: line) { error in
            let failure = error as? EdgeflowError
            XCTAssertEqual(failure?.kind, .invalidModel, "\(error)", file: file, line: line)
            XCTAssertTrue(failure?.message.contains(fragment) == true, "\(error)", file: file, line: line)
        }
    }

    func testReadsAWellFormedBuffer() throws {
        let (numbers, text) = try read(sample())
        XCTAssertEqual(numbers, [7, -8, 9])
        XCTAssertEqual(text, "hello")
        XCTAssertEqual(FlatBuffer(bytes: sample()).fileIdentifier, "TFL3")
        XCTAssertNil(try FlatBuffer(bytes: sample()).root().vector(5, elementSize: 4, "absent"))
    }

    func testRefusesARootOutsideTheBuffer() {
        var bytes = sample()
        put(4000, at: 0, in: &bytes)
        assertRefused(bytes, "outside")
        assertRefused(Array(bytes.prefix(6)), "too short")
    }

    func testRefusesAVtableOutsideTheBuffer() {
        var bytes = sample()
        put(UInt32(bitPattern: -5000), at: 16, in: &bytes)
        assertRefused(bytes, "vtable")
    }

    func testRefusesAFieldBeyondItsTable() {
        var bytes = sample()
        bytes[10] = 6   // the table claims 6 bytes, field 1 lies at +8
        assertRefused(bytes, "outside the table")
    }

    func testRefusesAVectorLongerThanTheFile() {
        var bytes = sample()
        put(0x7FFF_FFFF, at: 28, in: &bytes)
        assertRefused(bytes, "numbers")
    }

    func testRefusesAStringLongerThanTheFile() {
        var bytes = sample()
        put(1 << 20, at: 44, in: &bytes)
        assertRefused(bytes, "text")
    }

    /// Offsets are unsigned and forward: one that would wrap around to its own table (a cycle)
    /// points past the end instead.
    func testRefusesAnOffsetWrappingBackToItsTable() {
        var bytes = sample()
        put(UInt32(bitPattern: -4), at: 20, in: &bytes)
        assertRefused(bytes, "outside")
    }

    /// A chain of `count` tables, each one's field 0 pointing to the next (all sharing one
    /// vtable); the last one's offset is 0, so it points at its own field: a cycle.
    private func chain(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        func u32(_ value: Int) { for index in 0..<4 { bytes.append(UInt8((value >> (8 * index)) & 0xFF)) } }
        u32(16)
        bytes += Array("TFL3".utf8)
        bytes += [6, 0, 8, 0, 4, 0, 0, 0]   // vtable at 8: 6 bytes, tables of 8, field 0 at +4
        for index in 0..<count {
            let position = 16 + 8 * index
            u32(position - 8)                     // soffset back to the vtable
            u32(index + 1 < count ? 4 : 0)        // the next table, 4 bytes after this field
        }
        return bytes
    }

    /// Follows field 0 `steps` times from the root (nil steps: until an error).
    private func walk(_ buffer: FlatBuffer, steps: Int?) throws {
        var table = try buffer.root()
        var taken = 0
        while steps.map({ taken < $0 }) ?? true {
            guard let next = try table.table(0, "next") else { return }
            table = next
            taken += 1
        }
    }

    /// Forward offsets cannot loop through other tables, but an offset of 0 points a table at
    /// itself; following it, like following a chain deeper than the limit, is refused.
    func testRefusesTablesNestedDeeperThanTheLimitAndSelfReferences() throws {
        XCTAssertNoThrow(try walk(FlatBuffer(bytes: chain(5), maxDepth: 4), steps: 4))
        XCTAssertThrowsError(try walk(FlatBuffer(bytes: chain(6), maxDepth: 4), steps: 5)) { error in
            XCTAssertTrue("\(error)".contains("deeper than 4"), "\(error)")
        }
        XCTAssertThrowsError(try walk(FlatBuffer(bytes: chain(2)), steps: nil)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, "\(error)")
        }
    }

    func testChargesDecodedElementsToTheBudget() {
        let buffer = FlatBuffer(bytes: sample(), elementBudget: 2)
        XCTAssertThrowsError(try buffer.root().vector(0, elementSize: 4, "numbers")?.int32s()) { error in
            XCTAssertTrue("\(error)".contains("budget"), "\(error)")
        }
    }
}
