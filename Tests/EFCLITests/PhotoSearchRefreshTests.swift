// PhotoSearch.refresh on a library that another indexing run changes: photos added or
// re-embedded are applied to the loaded vectors (only the rows written since are read), a
// removed photo makes it load everything again, and either way every search answers exactly as
// a search opened afresh on the library would.

import EdgeflowRuntime
import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotoSearchRefreshTests: XCTestCase {
    func testRefreshAppliesNewRowsAndReloadsAfterARemoval() throws {
        let (directory, modelURL, source) = try PhotosCommandTests.scratchWithModel("photo-search-refresh")
        defer { try? FileManager.default.removeItem(at: directory) }
        let photos = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("Misc"),
                                         to: photos.appendingPathComponent("Misc"))
        let libraryPath = directory.appendingPathComponent("lib.sqlite").path
        func index() throws {
            let run = try CLIRunner.run(["photos", "index", photos.path, "--library", libraryPath, "--model",
                                         modelURL.path], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        try index()
        let folder = try CLIPFolder(url: modelURL)
        let model = try CLIPModel(folder: folder, visual: EdgeflowModel(contentsOf: folder.visualExecutable),
                                  textual: EdgeflowModel(contentsOf: folder.textualExecutable))
        let library = try PhotoLibrary(path: libraryPath, create: false)
        let search = try PhotoSearch(library: library, model: model)
        XCTAssertEqual(try search.refresh(), .unchanged)
        let first = search.vectorCount

        // Another run adds a folder: only its rows are read.
        try FileManager.default.copyItem(at: source.appendingPathComponent("2017"),
                                         to: photos.appendingPathComponent("2017"))
        try index()
        let added = try library.photos().filter { $0.path.contains("/2017/") && $0.lastError == nil }
        XCTAssertGreaterThan(added.count, 1)
        XCTAssertEqual(try search.refresh(), .updated(rows: added.count))
        XCTAssertEqual(search.vectorCount, first + added.count)
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)

        // A photo whose content changed is embedded again under its id: its row is replaced.
        let isJPEG = { (photo: PhotoRecord) in photo.path.lowercased().hasSuffix(".jpg") && photo.lastError == nil }
        let changed = try XCTUnwrap(try library.photos().first { $0.path.contains("/Misc/") && isJPEG($0) })
        let replacement = try XCTUnwrap(added.first(where: isJPEG))
        try PhotoFile.rewrite(changed.path, with: try PhotoFile.bytes(replacement.path))
        try index()
        XCTAssertEqual(try search.refresh(), .updated(rows: 1))
        XCTAssertEqual(search.vectorCount, first + added.count)
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: changed.id)

        // A removed photo cannot be applied as a row: everything is loaded again.
        try FileManager.default.removeItem(atPath: added[1].path)
        try index()
        XCTAssertEqual(try search.refresh(), .reloaded)
        XCTAssertEqual(search.vectorCount, first + added.count - 1)
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)
        XCTAssertEqual(try search.refresh(), .unchanged)
    }

    /// The two searches give the same photos with the same scores, for a text and for an example.
    private func assertSameAnswers(_ refreshed: PhotoSearch, _ fresh: PhotoSearch, likeID: Int64,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(refreshed.vectorCount, fresh.vectorCount, file: file, line: line)
        var text = SearchQuery()
        text.text = "a dog on a beach"
        text.limit = 1000
        var like = SearchQuery()
        like.likePhotoID = likeID
        like.limit = 1000
        for query in [text, like] {
            let a = try refreshed.search(query).hits, b = try fresh.search(query).hits
            XCTAssertEqual(a.map(\.photo.id), b.map(\.photo.id), file: file, line: line)
            XCTAssertEqual(a.map { $0.score?.bitPattern }, b.map { $0.score?.bitPattern }, file: file, line: line)
        }
    }
}

/// Rewriting a photo file in place with other bytes and a later modification time, so the next
/// index run sees a changed file at the same path.
private enum PhotoFile {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func rewrite(_ path: String, with bytes: Data) throws {
        XCTAssertNotEqual(bytes, try Self.bytes(path), "the replacement must differ")
        try bytes.write(to: URL(fileURLWithPath: path))
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: path)
    }
}
