// Damaged, foreign, newer and inconsistent archives are refused with clear errors, and a
// failed write leaves nothing behind.

import EFArchive
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class ArchiveErrorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("efa-test") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A valid archive's members.
    private func validMembers() throws -> [(name: String, data: Data)] {
        let url = directory.appendingPathComponent("valid.efa")
        let graph = SampleGraphs.weightsOnly()
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: nil), to: url)
        return try ZipFile.decode(Data(contentsOf: url), label: url.path)
    }

    /// Writes `members` as an archive and reads it back, expecting an error.
    private func readError(_ members: [(name: String, data: Data)]) throws -> EdgeflowError {
        let url = directory.appendingPathComponent("edited.efa")
        try ZipFile.encode(members).write(to: url)
        do {
            _ = try EdgeflowArchive.read(from: url)
        } catch let error as EdgeflowError {
            return error
        }
        XCTFail("reading the edited archive succeeded")
        return EdgeflowError(.internalError, "unreachable")
    }

    private func editingJSON(_ members: [(name: String, data: Data)], _ member: String,
                             _ edit: (inout [String: Any]) -> Void) throws -> [(name: String, data: Data)] {
        try members.map { entry in
            guard entry.name == member else { return entry }
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: entry.data) as? [String: Any])
            edit(&object)
            return (name: entry.name, data: try JSONSerialization.data(withJSONObject: object))
        }
    }

    func testNewerFormatVersionIsRefusedNamingBothVersions() throws {
        let members = try editingJSON(validMembers(), "metadata.json") {
            $0["formatVersion"] = 2
            $0["edgeflowVersion"] = "9.0.0"
            $0["inputs"] = "a field a future version changed"
        }
        let error = try readError(members)
        XCTAssertEqual(error.kind, .invalidArchive)
        XCTAssertTrue(error.message.contains("format version 2"), error.message)
        XCTAssertTrue(error.message.contains("Edgeflow 9.0.0"), error.message)
        XCTAssertTrue(error.message.contains("up to 1"), error.message)
        XCTAssertEqual(error.hint, "upgrade Edgeflow to read this archive")
    }

    func testForeignZipIsNotAnArchive() throws {
        let error = try readError([(name: "metadata.json", data: Data(#"{"format": "hailo-har"}"#.utf8))])
        XCTAssertEqual(error.kind, .invalidArchive)
        XCTAssertTrue(error.message.contains("not an Edgeflow archive"), error.message)
    }

    func testMissingMembersAreNamed() throws {
        for missing in ["metadata.json", "graph.json", "weights.npz"] {
            let error = try readError(validMembers().filter { $0.name != missing })
            XCTAssertEqual(error.kind, .invalidArchive, missing)
            XCTAssertTrue(error.message.contains("no member '\(missing)'"), error.message)
        }
    }

    func testMalformedGraphJSONIsReported() throws {
        let members = try validMembers().map { $0.name == "graph.json" ? (name: $0.name, data: Data("{\"name\": 1".utf8)) : $0 }
        let error = try readError(members)
        XCTAssertEqual(error.kind, .invalidArchive)
        XCTAssertTrue(error.message.contains("graph.json is malformed"), error.message)

        let wrongType = try editingJSON(validMembers(), "graph.json") { $0["inputs"] = 5 }
        let typeError = try readError(wrongType)
        XCTAssertTrue(typeError.message.contains("graph.json is malformed: at .inputs"), typeError.message)
    }

    func testWeightThatContradictsItsTypeIsReported() throws {
        let members = try editingJSON(validMembers(), "graph.json") { document in
            var values = document["values"] as? [String: Any] ?? [:]
            values["u8"] = ["dtype": "int8", "shape": [2, 2]]
            document["values"] = values
        }
        let error = try readError(members)
        XCTAssertEqual(error.kind, .invalidArchive)
        XCTAssertTrue(error.message.contains("weight 'u8' in weights.npz is uint8[2, 2] but graph.json types it int8[2, 2]"), error.message)
    }

    func testMetadataThatDisagreesWithTheGraphIsReported() throws {
        let members = try editingJSON(validMembers(), "metadata.json") { $0["outputs"] = [] as [Any] }
        let error = try readError(members)
        XCTAssertTrue(error.message.contains("disagree"), error.message)
    }

    func testDamagedFilesAreInvalidArchivesAndMissingFilesIOErrors() throws {
        let url = directory.appendingPathComponent("valid.efa")
        _ = try validMembers()
        let bytes = try Data(contentsOf: url)
        for length in [0, 21, bytes.count / 2, bytes.count - 1] {
            let cut = directory.appendingPathComponent("cut.efa")
            try bytes.prefix(length).write(to: cut)
            XCTAssertThrowsError(try EdgeflowArchive.read(from: cut)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive, "length \(length): \(error)")
            }
        }
        XCTAssertThrowsError(try EdgeflowArchive.read(from: directory.appendingPathComponent("absent.efa"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
    }

    func testEverySingleByteFlipIsDetectedOrHarmless() throws {
        let url = directory.appendingPathComponent("valid.efa")
        _ = try validMembers()
        let bytes = try Data(contentsOf: url)
        let flipped = directory.appendingPathComponent("flipped.efa")
        let original = SampleGraphs.weightsOnly()
        for index in stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[index] ^= 0x20
            try damaged.write(to: flipped)
            do {
                let graph = try EdgeflowArchive.read(from: flipped).graph
                for (name, tensor) in original.weights {
                    XCTAssertTrue(graph.weights[name]?.isBitwiseEqual(to: tensor) == true, "flip at \(index) changed \(name)")
                }
            } catch let error as EdgeflowError {
                XCTAssertTrue([.invalidArchive, .unsupported].contains(error.kind), "flip at \(index): \(error)")
            }
        }
    }

    func testFailedWriteLeavesTheDirectoryAsItWas() throws {
        let url = directory.appendingPathComponent("model.efa")
        let good = SampleGraphs.weightsOnly()
        try EdgeflowArchive.write(graph: good, metadata: ArchiveMetadata(describing: good, sourceModel: nil), to: url)
        let before = try Data(contentsOf: url)

        // A weight whose escaped name exceeds the zip limit fails after the JSON members are written.
        var bad = good
        let longName = String(repeating: ":", count: 30_000)
        bad.weights[longName] = Tensor(scalar: Float(1))
        bad.types[longName] = TensorType(.float32, [])
        XCTAssertThrowsError(try EdgeflowArchive.write(graph: bad, metadata: ArchiveMetadata(describing: bad, sourceModel: nil), to: url)) { error in
            XCTAssertTrue("\(error)".contains("65535"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.efa"])
        XCTAssertEqual(try Data(contentsOf: url), before, "the old archive is untouched")

        let fresh = directory.appendingPathComponent("fresh.efa")
        XCTAssertThrowsError(try EdgeflowArchive.write(graph: bad, metadata: ArchiveMetadata(describing: bad, sourceModel: nil), to: fresh))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path))

        let intoMissingDirectory = directory.appendingPathComponent("no/such/dir/m.efa")
        XCTAssertThrowsError(try EdgeflowArchive.write(graph: good, metadata: ArchiveMetadata(describing: good, sourceModel: nil), to: intoMissingDirectory)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.efa"])
    }

    func testInconsistentGraphIsNotWritten() throws {
        var graph = SampleGraphs.weightsOnly()
        graph.outputs = ["nowhere"]
        let url = directory.appendingPathComponent("m.efa")
        XCTAssertThrowsError(try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: SampleGraphs.weightsOnly(), sourceModel: nil), to: url))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
