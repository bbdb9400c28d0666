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
        var libraries: [String] = []
        for (schedule, preparers) in [("overlapped", "1"), ("alternating", "3")] {
            let library = directory.appendingPathComponent("\(schedule).sqlite").path
            let run = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path,
                                         "--schedule", schedule, "--preparers", preparers, "--json"], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
            let summary = try PhotosCommandTests.lastJSONLine(run.stdout)
            XCTAssertEqual(summary["embedded"] as? Int, 200, schedule)
            libraries.append(library)
        }
        let name = model.lastPathComponent
        let overlapped = try PhotosResumeTests.vectorsByPath(libraries[0], model: name)
        let alternating = try PhotosResumeTests.vectorsByPath(libraries[1], model: name)
        XCTAssertEqual(overlapped.count, 200)
        XCTAssertEqual(alternating, overlapped, "embeddings differ between the schedules")
        let thumbnails = try libraries.map { path in
            let library = try PhotoLibrary(path: path, create: false)
            return try Dictionary(uniqueKeysWithValues: library.photos().map {
                ($0.path, try library.thumbnail(id: $0.id))
            })
        }
        XCTAssertEqual(thumbnails[0].count, 204)
        XCTAssertTrue(thumbnails[0] == thumbnails[1], "thumbnails differ between the schedules")
    }

    func testAnUnknownScheduleIsRefused() throws {
        let run = try CLIRunner.run(["photos", "index", "/nonexistent", "--schedule", "sometimes"],
                                    in: FileManager.default.temporaryDirectory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("--schedule must be auto, overlapped or alternating, not 'sometimes'"),
                      run.stderr)
    }
}
