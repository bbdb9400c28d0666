// `photos index --schedule`: photos prepared beside the model (overlapped) and in turns with it
// (alternating, several preparers) must give the same library: the same photos, the same
// embeddings bit for bit and the same thumbnails, whatever order the preparers finish in.

import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosScheduleTests: XCTestCase {
    func testOverlappedAndAlternatingGiveTheSameLibrary() throws {
        let (directory, model, photos) = try PhotosCommandTests.scratchWithModel("photos-schedule")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // auto: the model's threads fill every core, so the preparers (as many) take turns with it.
        let runs: [(options: [String], schedule: String, preparers: Int)] = [
            (["--schedule", "overlapped", "--preparers", "1"], "overlapped", 1),
            (["--schedule", "alternating", "--preparers", "3"], "alternating", 3),
            (["--threads", "\(cores)"], "alternating", cores),
        ]
        var libraries: [String] = []
        for (index, run) in runs.enumerated() {
            let library = directory.appendingPathComponent("run\(index).sqlite").path
            let result = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path,
                                            "--json"] + run.options, in: directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            let summary = try PhotosCommandTests.lastJSONLine(result.stdout)
            XCTAssertEqual(summary["embedded"] as? Int, 200, "\(run.options)")
            XCTAssertEqual(summary["schedule"] as? String, run.schedule, "\(run.options)")
            XCTAssertEqual(summary["preparers"] as? Int, run.preparers, "\(run.options)")
            libraries.append(library)
        }
        let name = model.lastPathComponent
        let vectors = try libraries.map { try PhotosResumeTests.vectorsByPath($0, model: name) }
        XCTAssertEqual(vectors[0].count, 200)
        XCTAssertEqual(vectors[1], vectors[0], "embeddings differ between the schedules")
        XCTAssertEqual(vectors[2], vectors[0], "embeddings differ between the schedules")
        let thumbnails = try libraries.map { path in
            let library = try PhotoLibrary(path: path, create: false)
            return try Dictionary(uniqueKeysWithValues: library.photos().map {
                ($0.path, try library.thumbnail(id: $0.id))
            })
        }
        XCTAssertEqual(thumbnails[0].count, 204)
        XCTAssertTrue(thumbnails.allSatisfy { $0 == thumbnails[0] }, "thumbnails differ between the schedules")
    }

    func testAnUnknownScheduleIsRefused() throws {
        let run = try CLIRunner.run(["photos", "index", "/nonexistent", "--schedule", "sometimes"],
                                    in: FileManager.default.temporaryDirectory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("--schedule must be auto, overlapped or alternating, not 'sometimes'"),
                      run.stderr)
    }
}
