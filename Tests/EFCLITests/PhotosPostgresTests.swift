// `edgeflow photos` on a PostgreSQL library with the small generated CLIP folder and the
// generated photo library: two `photos index` processes share one folder (every photo
// embedded exactly once, search results identical to an SQLite library's, `list` and `serve`
// read it), and a worker killed with SIGKILL mid-run leaves claims that expire and are
// finished by the next run.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosPostgresTests: XCTestCase {
    /// Starts `edgeflow arguments…` in `directory`, its standard output into `output`.
    private func start(_ arguments: [String], in directory: URL, output: URL) throws -> Process {
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The paths and scores of a text search.
    private func search(_ library: String, model: URL, in directory: URL) throws -> [String] {
        let result = try CLIRunner.run(["photos", "search", "a dog on a beach", "--not", "people", "--library",
                                        library, "--model", model.path, "--limit", "20", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try PhotosCommandTests.results(result.stdout).map {
            "\($0["path"] as? String ?? "?") \($0["score"] as? Double ?? -9)"
        }
    }

    /// How many photos `model` has embedded in the library at `url`.
    private func embedded(_ url: String, _ model: URL) throws -> Int {
        try PostgresPhotoLibrary(url: url, create: false).models().first { $0.name == model.lastPathComponent }?
            .count ?? 0
    }

    func testTwoWorkersShareAFolderAndAKilledWorkersClaimsAreTakenOver() throws {
        let cluster = try PostgresCluster.shared()
        let (directory, model, photos) = try PhotosCommandTests.scratchWithModel("photos-pg")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = directory.appendingPathComponent("lib.sqlite").path
        let index = ["photos", "index", photos.path, "--model", model.path, "--threads", "1", "--json"]
        let reference = try CLIRunner.run(index + ["--library", sqlite], in: directory)  // compiles the towers once
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let expected = try XCTUnwrap(try PhotosCommandTests.lastJSONLine(reference.stdout)["embedded"] as? Int)

        let url = try cluster.createDatabase()
        let outputs = (0..<2).map { directory.appendingPathComponent("worker\($0).jsonl") }
        let workers = try outputs.map { try start(index + ["--library", url, "--claim-batch", "8"], in: directory,
                                                  output: $0) }
        workers.forEach { $0.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0])
        let counts = try outputs.map { output -> Int in
            let summary = try PhotosCommandTests.lastJSONLine(try String(contentsOf: output, encoding: .utf8))
            return try XCTUnwrap(summary["embedded"] as? Int)
        }
        XCTAssertEqual(counts.reduce(0, +), expected, "every photo embedded exactly once: \(counts)")
        XCTAssertEqual(try embedded(url, model), expected)
        XCTAssertEqual(try PostgresPhotoLibrary(url: url).photos().count,
                       try PhotoLibrary(path: sqlite, create: false).photos().count)
        XCTAssertEqual(try search(url, model: model, in: directory), try search(sqlite, model: model, in: directory))
        let list = try CLIRunner.run(["photos", "list", "--library", url, "--json"], in: directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        let server = try ServeProcess(["--library", url, "--model", model.path])
        defer { server.stop() }
        let status = try server.get("/api/status").json()
        XCTAssertEqual((status["embedded"] as? [String: Int])?[model.lastPathComponent], expected)
        let hits = try XCTUnwrap(try server.get("/api/search?q=a%20dog&limit=3").json()["results"] as? [[String: Any]])
        let first = try XCTUnwrap(hits.first?["id"] as? Int)
        XCTAssertEqual([UInt8](try server.get("/api/photos/\(first)/thumbnail").body),
                       try PostgresPhotoLibrary(url: url).thumbnail(id: Int64(first)))

        // A worker killed mid-run: its claims hold for the lease (3 s), then the next run takes them.
        let shared = try cluster.createDatabase()
        let killed = try start(index + ["--library", shared, "--claim-batch", "8", "--lease", "3"], in: directory,
                               output: directory.appendingPathComponent("killed.jsonl"))
        let deadline = Date().addingTimeInterval(300)
        while killed.isRunning, Date() < deadline, (try? embedded(shared, model)) ?? 0 < 8 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(killed.isRunning, "the worker finished before it could be killed")
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let before = try embedded(shared, model)
        XCTAssertLessThan(before, expected)
        Thread.sleep(forTimeInterval: 3.5)
        let rerun = try CLIRunner.run(index + ["--library", shared, "--lease", "3"], in: directory)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let finished = try XCTUnwrap(try PhotosCommandTests.lastJSONLine(rerun.stdout)["embedded"] as? Int)
        XCTAssertEqual(before + finished, expected, "nothing embedded twice, nothing left")
        XCTAssertEqual(try embedded(shared, model), expected)
        let paths = try PostgresPhotoLibrary(url: shared).photos().map(\.path)
        XCTAssertEqual(paths.count, Set(paths).count)
    }
}
