// Damaged and crafted executables through the whole loader: every cut at a section boundary
// and a flipped byte in each section are refused naming the section; a newer format asks for
// an upgrade; JSON sections that pass their checksums but lie (a step whose declared output
// is not what its op computes, a step writing a constant, a constant outside WGHT, an unknown
// op, a missing section) are refused as invalid executables, never run.

import EFCore
import EFExecutable
import EFTestSupport
import EdgeflowRuntime
import Foundation
import XCTest

final class ExecutableDamageTests: XCTestCase {
    private func assertRefused(_ data: Data, _ needle: String, kind: EdgeflowError.Kind = .invalidArchive,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try EdgeflowModel(data: data, label: "m.efx"), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("not an EdgeflowError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, kind, error.message, file: file, line: line)
            XCTAssertTrue(error.message.contains(needle), "'\(error.message)' lacks '\(needle)'", file: file, line: line)
        }
    }

    private func sections() throws -> (Data, EFXFile) {
        let data = try ExecutableFixtures.bytes(try ExecutableFixtures.graph())
        return (data, try EFXFile(data: data, label: "m.efx"))
    }

    func testTruncationAtEverySectionBoundary() throws {
        let (data, file) = try sections()
        for info in file.sectionInfos {
            for cut in [info.offset, info.offset + info.length / 2, info.offset + info.length - 1] where cut < data.count {
                assertRefused(data.prefix(cut), "m.efx")
            }
        }
        assertRefused(data.prefix(20), "m.efx")
    }

    func testAFlippedByteInEachSectionNamesIt() throws {
        let (data, file) = try sections()
        for info in file.sectionInfos where info.length > 0 {
            var damaged = data
            damaged[info.offset + info.length / 2] ^= 0x40
            assertRefused(damaged, "section \(info.kind.tag)")
        }
    }

    func testAFlippedWeightByteInAFileIsCaughtByTheBackgroundCheck() throws {
        let (data, file) = try sections()
        let weights = try XCTUnwrap(file.info(.weights))
        var damaged = data
        damaged[weights.offset + weights.length - 3] ^= 0x01
        let directory = try TestData.temporaryDirectory("efx-damage")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.efx")
        try damaged.write(to: url)
        XCTAssertThrowsError(try EdgeflowModel(contentsOf: url)) { error in
            let message = (error as? EdgeflowError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("section WGHT") && message.contains("checksum"), message)
        }
    }

    func testNewerFormatVersionAsksForAnUpgrade() throws {
        var (data, _) = try sections()
        data[8] = 2  // the u32 version after the 8-byte magic
        XCTAssertThrowsError(try EdgeflowModel(data: data, label: "m.efx")) { error in
            let message = (error as? EdgeflowError).map { $0.message + " " + ($0.hint ?? "") } ?? ""
            XCTAssertTrue(message.contains("version 2") && message.lowercased().contains("upgrade"), message)
        }
    }

    /// The file with its PROG JSON edited (re-encoded with valid checksums).
    private func editingProgram(_ edit: (inout [String: Any]) throws -> Void) throws -> Data {
        let (_, file) = try sections()
        var program = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(file.sectionData(.program))) as? [String: Any])
        try edit(&program)
        let edited = try JSONSerialization.data(withJSONObject: program)
        return try EFXWriter.encode(file.sectionKinds.map { kind in
            EFXSection(kind: kind, bytes: kind == .program ? edited : Data(file.sectionData(kind)!))
        })
    }

    private func editingSteps(_ edit: @escaping (inout [[String: Any]]) -> Void) throws -> Data {
        try editingProgram { program in
            var plan = program["plan"] as! [String: Any]
            var steps = plan["steps"] as! [[String: Any]]
            edit(&steps)
            plan["steps"] = steps
            program["plan"] = plan
        }
    }

    func testLyingProgramsAreRefused() throws {
        // A conv with a 5×5 window computes another shape than the declared output.
        assertRefused(try editingSteps { steps in
            let conv = steps.firstIndex { $0["op"] as? String == "conv" }!
            var params = steps[conv]["params"] as? [String: Any] ?? [:]
            params["pads"] = [0, 0, 0, 0]
            steps[conv]["params"] = params
        }, "section PROG (program)")
        // A step that would write into the read-only weights.
        assertRefused(try editingSteps { steps in steps[0]["outputs"] = ["w"] }, "as a constant")
        assertRefused(try editingSteps { steps in steps[0]["op"] = "teleport" }, "section PROG")
        assertRefused(try editingSteps { steps in steps[0]["inputs"] = ["nowhere"] }, "nowhere")
        assertRefused(try editingProgram { program in
            var constants = program["constants"] as! [[String: Any]]
            constants[0]["offset"] = 1 << 40
            program["constants"] = constants
        }, "does not fit section WGHT")
        assertRefused(try editingProgram { program in
            var plan = program["plan"] as! [String: Any]
            plan["arenaByteCount"] = 64
            program["plan"] = plan
        }, "does not fit the arena")
    }

    func testAMissingSectionIsNamed() throws {
        let (_, file) = try sections()
        let withoutWeights = try EFXWriter.encode(file.sectionKinds.filter { $0 != .weights }.map {
            EFXSection(kind: $0, bytes: Data(file.sectionData($0)!))
        })
        assertRefused(withoutWeights, "WGHT")
    }
}
