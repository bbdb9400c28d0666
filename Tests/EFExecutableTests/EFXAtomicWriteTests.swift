// The `.efx` writer is atomic: a failure leaves the destination as it was and no temporary
// file behind, and a success replaces the old file in one step.

import EFCore
import EFExecutable
import EFTestSupport
import Foundation
import XCTest

final class EFXAtomicWriteTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("efx-atomic")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    func testReplacesAnExistingFile() throws {
        let url = directory.appendingPathComponent("model.efx")
        try Data("old".utf8).write(to: url)
        try EFXWriter.write([EFXSection(kind: .program, bytes: Data([1, 2]))], to: url)
        XCTAssertEqual(try EFXFile(contentsOf: url).sectionData(.program), Data([1, 2]))
        XCTAssertEqual(try entries(), ["model.efx"])
    }

    func testFailureInTheMiddleKeepsTheOldFileAndLeavesNoTemporaryFile() throws {
        let url = directory.appendingPathComponent("model.efx")
        try Data("old".utf8).write(to: url)
        struct Stop: Error {}
        XCTAssertThrowsError(try AtomicOutput.write(to: url) { output in
            try output.write([1, 2, 3])
            throw Stop()
        })
        XCTAssertEqual(try Data(contentsOf: url), Data("old".utf8))
        XCTAssertEqual(try entries(), ["model.efx"])
    }

    func testRenameFailureLeavesNoTemporaryFile() throws {
        let blocker = directory.appendingPathComponent("model.efx")
        try FileManager.default.createDirectory(at: blocker.appendingPathComponent("inside"),
                                                withIntermediateDirectories: true)
        XCTAssertThrowsError(try EFXWriter.write(SampleSections.all, to: blocker)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
            XCTAssertTrue("\(error)".contains("cannot replace"), "\(error)")
        }
        XCTAssertEqual(try entries(), ["model.efx"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blocker.path), ["inside"])
    }

    func testMissingDirectoryIsAnIOError() {
        let url = directory.appendingPathComponent("no/such/dir/model.efx")
        XCTAssertThrowsError(try EFXWriter.write([], to: url)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
    }

    func testOpeningMissingOrSpecialFiles() throws {
        XCTAssertThrowsError(try EFXFile(contentsOf: directory.appendingPathComponent("none.efx"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
        XCTAssertThrowsError(try EFXFile(contentsOf: directory)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
        let empty = directory.appendingPathComponent("empty.efx")
        try Data().write(to: empty)
        XCTAssertThrowsError(try EFXFile(contentsOf: empty)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("empty.efx: the file is empty"), "\(error)")
        }
    }
}
