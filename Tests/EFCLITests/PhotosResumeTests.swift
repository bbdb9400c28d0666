// Resumability of `edgeflow photos index`: a 2,040-photo run (the generated library hard-linked
// ten times) is killed with SIGKILL at 20 random moments and resumed each time; the library
// must end with every photo exactly once and byte-identical embeddings to a clean run.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosResumeTests: XCTestCase {
    func testKilledTwentyTimesTheLibraryEqualsACleanRun() throws {
        guard TestData.isOptimizedBuild else {
            throw XCTSkip("2,040 photos: run in the release tier (scripts/test.sh)")
        }
        let (directory, model, photos) = try PhotosCommandTests.scratchWithModel("photos-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = directory.appendingPathComponent("photos")
        for copy in 0..<10 {  // hard links: 10 × 205 files for the price of none
            try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
            try FileManager.default.linkItem(at: photos, to: tree.appendingPathComponent("copy\(copy)"))
        }
        let arguments = ["photos", "index", tree.path, "--model", model.path, "--threads", "1", "--json"]
        let clean = directory.appendingPathComponent("clean.sqlite").path
        let start = Date()
        let reference = try CLIRunner.run(arguments + ["--library", clean], in: directory)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let cleanSeconds = Date().timeIntervalSince(start)

        let resumed = directory.appendingPathComponent("resumed.sqlite").path
        var generator = SeededGenerator(seed: 20261202)
        var kills = 0
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = CLIRunner.binary
            process.arguments = arguments + ["--library", resumed]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Anywhere in a run, start-up and scan included (a resumed run has less to do).
            Thread.sleep(forTimeInterval: 0.05 + generator.nextUnit() * cleanSeconds / 4)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        XCTAssertGreaterThanOrEqual(kills, 10, "the runs finished before they could be killed")
        let last = try CLIRunner.run(arguments + ["--library", resumed], in: directory)
        XCTAssertEqual(last.status, 0, last.stderr)

        let expected = try Self.vectorsByPath(clean, model: model.lastPathComponent)
        let actual = try Self.vectorsByPath(resumed, model: model.lastPathComponent)
        XCTAssertEqual(expected.count, 2000)  // 10 × (204 photos − 4 bad)
        XCTAssertEqual(actual.count, expected.count)
        XCTAssertEqual(Set(actual.keys), Set(expected.keys))
        XCTAssertTrue(expected.allSatisfy { actual[$0.key] == $0.value }, "embeddings differ from the clean run")
        let paths = try PhotoLibrary(path: resumed, create: false).photos().map(\.path)
        XCTAssertEqual(paths.count, Set(paths).count)
        XCTAssertEqual(paths.count, try PhotoLibrary(path: clean, create: false).photos().count)
    }

    /// Photo path → its embedding's bit patterns.
    static func vectorsByPath(_ path: String, model: String) throws -> [String: [UInt32]] {
        let library = try PhotoLibrary(path: path, create: false)
        let paths = Dictionary(uniqueKeysWithValues: try library.photos().map { ($0.id, $0.path) })
        let stored = try library.embeddings(model: model)
        var result: [String: [UInt32]] = [:]
        for (row, id) in stored.ids.enumerated() {
            let vector = stored.vectors[row * stored.dimension..<(row + 1) * stored.dimension]
            result[paths[id] ?? "?"] = vector.map(\.bitPattern)
        }
        return result
    }
}
