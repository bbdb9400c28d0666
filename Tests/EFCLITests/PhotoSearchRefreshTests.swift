// PhotoSearch.refresh on a library that other indexing runs change, on SQLite and on
// PostgreSQL: photos added or re-embedded are applied to the loaded vectors (only the rows written
// since are read), removed photos' rows are hidden by the library's ids, a photo embedded under an
// id between loaded ones makes a merged table, everything is loaded again only when a photo was
// embedded where the rows read cannot show it, and every search answers exactly as a search
// opened afresh on the library would.

import EdgeflowRuntime
import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotoSearchRefreshTests: XCTestCase {
    func testRefreshOnSQLite() throws {
        try refreshScenario(sqlite: true) { $0.appendingPathComponent("lib.sqlite").path }
    }

    func testRefreshOnPostgreSQL() throws {
        let cluster = try PostgresCluster.shared()
        try refreshScenario(sqlite: false) { _ in try cluster.createDatabase() }
    }

    private func refreshScenario(sqlite: Bool, location: (URL) throws -> String) throws {
        let (directory, modelURL, source) = try PhotosCommandTests.scratchWithModel("photo-search-refresh")
        defer { try? FileManager.default.removeItem(at: directory) }
        let photos = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("Misc"),
                                         to: photos.appendingPathComponent("Misc"))
        let broken = photos.appendingPathComponent("broken.jpg")  // an id now, an embedding at the end
        try Data("not a photo yet".utf8).write(to: broken)
        let libraryPath = try location(directory)
        func index() throws {
            let run = try CLIRunner.run(["photos", "index", photos.path, "--library", libraryPath, "--model",
                                         modelURL.path], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        try index()
        let folder = try CLIPFolder(url: modelURL)
        let model = try CLIPModel(folder: folder, visual: EdgeflowModel(contentsOf: folder.visualExecutable),
                                  textual: EdgeflowModel(contentsOf: folder.textualExecutable))
        let library = try PhotoStores.open(libraryPath, create: false)
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

        // A photo whose content changed is embedded again under its id: its row is replaced (SQLite
        // counts the old row as removed when the scan drops it, so the library's ids are read too).
        let isJPEG = { (photo: PhotoRecord) in photo.path.lowercased().hasSuffix(".jpg") && photo.lastError == nil }
        let changed = try XCTUnwrap(try library.photos().first { $0.path.contains("/Misc/") && isJPEG($0) })
        let replacement = try XCTUnwrap(added.first(where: isJPEG))
        try PhotoFile.rewrite(changed.path, with: try PhotoFile.bytes(replacement.path))
        try index()
        let count = first + added.count
        XCTAssertEqual(try search.refresh(), .updated(rows: 1))
        XCTAssertEqual(search.vectorCount, count)
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: changed.id)

        // A removed photo's row is hidden, found by the library's ids, nothing loaded again.
        try FileManager.default.removeItem(atPath: added[1].path)
        try index()
        XCTAssertEqual(try search.refresh(), .updatedHiding(rows: 0, photos: count - 1))
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)
        XCTAssertEqual(try search.refresh(), .unchanged)

        // The newest row's photo goes and one new photo comes in one run. On SQLite the new row
        // takes the removed one's rowid, below what the search has read: only a full load finds it.
        let city = source.appendingPathComponent("2020/2020-05-15 City break")
        let extra = try FileManager.default.contentsOfDirectory(atPath: city.path)
            .filter { $0.lowercased().hasSuffix(".jpg") }.sorted()
        XCTAssertGreaterThanOrEqual(extra.count, 2)
        let copy = { (name: String) in
            try FileManager.default.copyItem(at: city.appendingPathComponent(name),
                                             to: photos.appendingPathComponent(name))
        }
        try copy(extra[0])
        try index()
        XCTAssertEqual(try search.refresh(), .updated(rows: 1))  // the int8 copy is extended, not made anew
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)
        try FileManager.default.removeItem(at: photos.appendingPathComponent(extra[0]))
        try copy(extra[1])
        try index()
        XCTAssertEqual(try search.refresh(), sqlite ? .reloaded : .updatedHiding(rows: 1, photos: count))
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)
        XCTAssertEqual(try search.refresh(), .unchanged)

        // The photo that could not be read becomes one: its id is below the last loaded one, so
        // the rows are merged into a new table.
        try PhotoFile.rewrite(broken.path, with: try PhotoFile.bytes(added[0].path))
        try index()
        XCTAssertEqual(try search.refresh(), .merged(rows: 1, photos: count + 1))
        try assertSameAnswers(search, try PhotoSearch(library: library, model: model), likeID: added[0].id)
        XCTAssertEqual(try search.refresh(), .unchanged)
    }

    /// The two searches give the same photos with the same scores, for a text and for an example,
    /// with the exact scan and with the int8 one (whose copy the refreshed search may have extended).
    private func assertSameAnswers(_ refreshed: PhotoSearch, _ fresh: PhotoSearch, likeID: Int64,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(refreshed.vectorCount, fresh.vectorCount, file: file, line: line)
        var text = SearchQuery()
        text.text = "a dog on a beach"
        text.limit = 1000
        var like = SearchQuery()
        like.likePhotoID = likeID
        like.limit = 1000
        var queries = [text, like]
        for var query in queries {
            query.compressed = true
            queries.append(query)
        }
        for query in queries {
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
