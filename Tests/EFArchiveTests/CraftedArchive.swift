// Builders of hostile inputs for the archive tests: zip files field by field (so any count,
// offset or size can lie), `.npy` members with any header, and valid archives whose JSON is
// then edited, read back from memory with `EdgeflowArchive.read(data:label:)`.

import EFArchive
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

/// A zip file assembled from raw records; every field can be given any value.
struct CraftedZip {
    var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var centralCount = 0

    /// Appends a local header and `data`; returns the header's offset.
    @discardableResult
    mutating func local(_ name: String, _ data: [UInt8], method: UInt16 = 0) -> Int {
        let offset = bytes.count
        bytes += le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0)
        bytes += le32(crc(data)) + le32(UInt32(data.count)) + le32(UInt32(data.count))
        bytes += le16(UInt16(name.utf8.count)) + le16(0) + Array(name.utf8) + data
        return offset
    }

    /// Adds a central-directory entry; sizes default to `data`'s, the CRC to its checksum.
    mutating func entry(_ name: String, _ data: [UInt8], offset: Int, size: UInt32? = nil,
                        compressedSize: UInt32? = nil, method: UInt16 = 0, extra: [UInt8] = []) {
        let size = size ?? UInt32(data.count)
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0)
        central += le32(crc(data)) + le32(compressedSize ?? size) + le32(size)
        central += le16(UInt16(name.utf8.count)) + le16(UInt16(extra.count)) + le16(0) + le16(0) + le16(0) + le32(0)
        central += le32(UInt32(truncatingIfNeeded: offset)) + Array(name.utf8) + extra
        centralCount += 1
    }

    /// The file: members, central directory, end record (with `count` members if given).
    func finished(count: Int? = nil) -> Data {
        let entries = UInt16(count ?? centralCount)
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries) + le16(entries)
            + le32(UInt32(central.count)) + le32(UInt32(bytes.count)) + le16(0)
        return Data(bytes + central + end)
    }

    /// A well-formed zip of stored `members`.
    static func stored(_ members: [(String, [UInt8])]) -> Data {
        var zip = CraftedZip()
        for (name, data) in members { zip.entry(name, data, offset: zip.local(name, data)) }
        return zip.finished()
    }

    func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    func crc(_ data: [UInt8]) -> UInt32 { data.withUnsafeBytes { CRC32.checksum($0) } }
}

/// An `.npy` file with header dict `dict` and `data`.
func craftedNPY(_ dict: String, data: [UInt8] = []) -> [UInt8] {
    let text = Array((dict + "\n").utf8)
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
}

/// Valid archives as bytes, edited, then read back from memory.
struct ArchiveEditing {
    let members: [(name: String, data: Data)]

    init(_ graph: Graph) throws {
        let directory = try TestData.temporaryDirectory("efa-crafted")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("valid.efa")
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: nil), to: url)
        members = try ZipFile.decode(Data(contentsOf: url), label: url.path)
    }

    /// The archive with member `name` replaced by `data`.
    func replacing(_ name: String, with data: Data) throws -> Data {
        try ZipFile.encode(members.map { $0.name == name ? (name: name, data: data) : $0 })
    }

    /// The archive with `graph.json` (or another JSON member) edited as an object.
    func editingJSON(_ member: String = "graph.json", _ edit: (inout [String: Any]) -> Void) throws -> Data {
        let original = try XCTUnwrap(members.first { $0.name == member }).data
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
        edit(&object)
        return try replacing(member, with: JSONSerialization.data(withJSONObject: object))
    }

    /// The archive with a textual replacement in `graph.json` (for numbers JSONSerialization
    /// cannot write, such as 1e300). With `compact`, the member is first rewritten as compact
    /// JSON with sorted keys, so that the text to replace is predictable (`"axis":1`).
    func replacingText(_ old: String, with new: String, in member: String = "graph.json",
                       compact: Bool = false) throws -> Data {
        var data = try XCTUnwrap(members.first { $0.name == member }).data
        if compact {
            let object = try JSONSerialization.jsonObject(with: data)
            data = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
        }
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(old), "\(member) lacks \(old)")
        return try replacing(member, with: Data(text.replacingOccurrences(of: old, with: new).utf8))
    }
}

/// Reads `data` as an archive, asserting the error's kind and a message fragment.
func assertArchiveError(_ data: Data, _ kind: EdgeflowError.Kind, _ fragment: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    assertEdgeflowError(try EdgeflowArchive.read(data: data, label: "crafted.efa"), kind, fragment,
                        file: file, line: line)
}

/// Runs a reader that must fail, asserting the error's kind and a message fragment.
func assertEdgeflowError<T>(_ body: @autoclosure () throws -> T, _ kind: EdgeflowError.Kind, _ fragment: String,
                            file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("reading succeeded", file: file, line: line)
    } catch let error as EdgeflowError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        XCTAssertTrue(error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                      file: file, line: line)
    } catch {
        XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
    }
}
