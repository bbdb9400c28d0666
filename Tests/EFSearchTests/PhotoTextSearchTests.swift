// The library's text of photos: stored per photo with the reader that read it, found by every
// word in any order with case and accents ignored, never read as FTS5 syntax, forgotten when
// the photo changes; a version 1 library (before `text_reads`) is migrated when opened. The same
// tests run on PostgreSQL (PostgresTextSearchTests).

import EFCore
import EFMedia
import EFSearch
import EFTestSupport
import Foundation
import GRDB
import XCTest

class PhotoTextSearchTests: XCTestCase {
    var root: URL!

    /// The library under test: an SQLite file here (PostgresTextSearchTests runs the same tests on
    /// PostgreSQL).
    func openLibrary() throws -> any PhotoStore {
        try PhotoLibrary(path: root.appendingPathComponent("lib.sqlite").path)
    }

    private func pending(_ library: any PhotoStore, _ folder: URL, _ reader: String) throws -> Int {
        try library.pendingWork(under: [folder.path], modelID: nil, textReader: reader, claims: ClaimOptions()).total
    }

    override func setUpWithError() throws {
        root = try TestData.temporaryDirectory("photo-text")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A library of three indexed photos, with these lines of text stored for them by reader "r".
    private func library(_ texts: [[String]]) throws -> (any PhotoStore, [Int64]) {
        let folder = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in texts.indices {
            let image = try PixelImage(width: 40, height: 30, channels: 3,
                                       pixels: (0..<3600).map { UInt8(truncatingIfNeeded: $0 * (index + 3)) })
            try Data(PNGEncoder.encode(image)).write(to: folder.appendingPathComponent("p\(index).png"))
        }
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        let ids = try library.photos().map(\.id)
        XCTAssertEqual(try pending(library, folder, "r"), 3)
        let results = zip(ids, texts).map { id, lines -> IndexedPhoto in
            var result = IndexedPhoto(id: id, contentHash: "0")
            result.text = lines
            return result
        }
        try library.store(results, modelID: nil, textReader: "r")
        XCTAssertEqual(try pending(library, folder, "r"), 0)
        XCTAssertEqual(try pending(library, folder, "other"), 3,
                       "another reader reads them again")
        return (library, ids)
    }

    func testEveryWordMustAppearInAnyOrderIgnoringCaseAndAccents() throws {
        let (library, ids) = try library([["GATE 12", "Café du Port"], ["gate", "exit"], []])
        XCTAssertEqual(try library.photosWithText("12 gate").map(\.id), [ids[0]])
        XCTAssertEqual(Set(try library.photosWithText("GATE").map(\.id)), [ids[0], ids[1]])
        XCTAssertEqual(try library.photosWithText("cafe").map(\.id), [ids[0]])
        XCTAssertEqual(try library.photosWithText("exit").first?.text, "gate\nexit")
        XCTAssertEqual(try library.photosWithText("nowhere").count, 0)
        let listing = try library.listing().map(\.text)
        XCTAssertEqual(listing, ["GATE 12\nCafé du Port", "gate\nexit", ""], "read with no text is not unread")
    }

    func testQueryTextIsNeverFTSSyntax() throws {
        let (library, ids) = try library([["NEAR exit OR gate"], ["a-b * c"], ["x"]])
        for text in ["NEAR(", "exit OR", "\"gate", "a-b", "*", "c)", "col:x", "^x"] {
            XCTAssertNoThrow(try library.photosWithText(text), text)
        }
        XCTAssertEqual(try library.photosWithText("exit OR").map(\.id), [ids[0]])
        XCTAssertThrowsError(try library.photosWithText(" \" ")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try library.photosWithText(String(repeating: "a ", count: 600))) { error in
            XCTAssertTrue("\(error)".contains("at most 1000"), "\(error)")
        }
    }

    func testAChangedPhotoLosesItsText() throws {
        let (library, ids) = try library([["first"], ["second"], ["third"]])
        let photo = try XCTUnwrap(try library.photo(id: ids[1]))
        try Data(PNGEncoder.encode(try PixelImage(width: 8, height: 8, channels: 3,
                                                  pixels: [UInt8](repeating: 9, count: 192))))
            .write(to: URL(fileURLWithPath: photo.path))
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [root.appendingPathComponent("photos").path])
        XCTAssertEqual(try library.photosWithText("second").count, 0)
        XCTAssertNil(try library.listing().first { $0.photo.id == ids[1] }?.text, "to be read again")
    }

    func testAVersion1LibraryIsMigrated() throws {
        do {
            _ = try library([["kept"], [], []])
        }
        let path = root.appendingPathComponent("lib.sqlite").path
        // Make it a version 1 library: without text_reads (its text rows stay, unread as far as v1
        // knows) and without version 3's removal count.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TABLE text_reads; PRAGMA user_version = 1")
            try LibraryDowngrade.removeVersion3(db)
        }
        try queue.close()
        let migrated = try PhotoLibrary(path: path)
        XCTAssertEqual(try migrated.photosWithText("kept").count, 1)
        XCTAssertTrue(try migrated.listing().allSatisfy { $0.text == nil }, "no reader is recorded in version 1")
    }
}
