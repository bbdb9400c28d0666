// The photo library and the indexer without a CLIP model: what a scan adds, what a second run
// leaves alone, and how changed, moved, deleted and unreadable files and a vanished folder
// are handled; a library from a newer Edgeflow and a non-library file are refused. The same tests
// run on PostgreSQL (PostgresLibraryIndexTests).

import EFCore
import EFMedia
import EFSearch
import EFTestSupport
import Foundation
import XCTest

class PhotoLibraryIndexTests: XCTestCase {
    var root: URL!

    /// The library under test: an SQLite file here (PostgresLibraryIndexTests runs the same tests
    /// on PostgreSQL).
    func openLibrary() throws -> any PhotoStore {
        try PhotoLibrary(path: root.appendingPathComponent("lib.sqlite").path)
    }

    /// What is still pending under `folder` (without a model or text reader).
    func pendingCount(_ library: any PhotoStore, _ folder: URL) throws -> Int {
        try library.pendingWork(under: [folder.path], modelID: nil, textReader: nil, claims: ClaimOptions()).total
    }

    override func setUpWithError() throws {
        root = try TestData.temporaryDirectory("photo-library")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A photo folder: two JPEGs, a PNG in a subfolder, a hidden file, a text file, an empty
    /// .jpg and a text file named .png.
    private func makeFolder() throws -> URL {
        let folder = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"),
                                                withIntermediateDirectories: true)
        try write(jpeg(width: 640, height: 480, seed: 1), folder.appendingPathComponent("a.jpg"))
        try write(jpeg(width: 300, height: 500, seed: 2), folder.appendingPathComponent("B.JPEG"))
        try write(PNGEncoder.encode(image(width: 50, height: 40, seed: 3)), folder.appendingPathComponent("sub/c.png"))
        try write(jpeg(width: 64, height: 64, seed: 4), folder.appendingPathComponent(".hidden.jpg"))
        try write(Array("notes".utf8), folder.appendingPathComponent("notes.txt"))
        try write([], folder.appendingPathComponent("sub/empty.jpg"))
        try write(Array("not an image at all".utf8), folder.appendingPathComponent("sub/fake.png"))
        return folder
    }

    func testFirstRunIndexesPhotosAndListsUnreadableOnes() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        let report = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual(report.scan.found, 5)
        XCTAssertEqual(report.scan.added, 5)
        XCTAssertEqual(report.skippedOther, 1)
        XCTAssertEqual(Set(report.failures.map { ($0.path as NSString).lastPathComponent }), ["empty.jpg", "fake.png"])
        let listing = try library.listing()
        XCTAssertEqual(listing.count, 5)
        let byName = Dictionary(uniqueKeysWithValues: listing.map {
            (($0.photo.path as NSString).lastPathComponent, $0)
        })
        XCTAssertEqual(byName["a.jpg"]?.photo.width, 640)
        XCTAssertEqual(byName["B.JPEG"]?.photo.height, 500)
        XCTAssertEqual(byName["c.png"]?.photo.format, "png")
        XCTAssertEqual(byName["a.jpg"]?.hasThumbnail, true)
        XCTAssertNotNil(byName["empty.jpg"]?.photo.lastError)
        let thumbnail = try XCTUnwrap(try library.thumbnail(id: try XCTUnwrap(byName["a.jpg"]).photo.id))
        let decoded = try ImageDecoder.decode(bytes: thumbnail)
        XCTAssertEqual([decoded.image.width, decoded.image.height], [256, 192])
    }

    /// Camera RAW files are indexed by extension and decoded by LibRaw (the media-decode DNG
    /// fixtures: one with only sensor data, turned by its orientation, one with a JPEG preview).
    func testCameraRAWFilesAreIndexed() throws {
        let folder = root.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fixtures = TestData.goldens.appendingPathComponent("media-decode")
        for (fixture, name) in [("raw_dng_orientation_6.dng", "IMG_0001.DNG"), ("raw_dng_preview.dng", "b.dng")] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(fixture),
                                             to: folder.appendingPathComponent(name))
        }
        try write(Array("FUJIFILMCCD-RAW 0201 but nothing else".utf8), folder.appendingPathComponent("c.raf"))
        let library = try openLibrary()
        let report = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual(report.scan.found, 3)
        XCTAssertEqual(report.failures.map { ($0.path as NSString).lastPathComponent }, ["c.raf"])
        XCTAssertTrue(report.failures.first?.reason.contains("not a RAW file LibRaw reads") == true,
                      "\(report.failures)")
        let byName = Dictionary(uniqueKeysWithValues: try library.listing().map {
            (($0.photo.path as NSString).lastPathComponent, $0)
        })
        for (name, size) in [("IMG_0001.DNG", [96, 128]), ("b.dng", [128, 96])] {
            let entry = try XCTUnwrap(byName[name], name)
            XCTAssertEqual(entry.photo.format, "raw", name)
            XCTAssertEqual([entry.photo.width, entry.photo.height], size, name)
            XCTAssertNil(entry.photo.lastError, name)
            let thumbnail = try XCTUnwrap(try library.thumbnail(id: entry.photo.id), name)
            let decoded = try ImageDecoder.decode(bytes: thumbnail)
            XCTAssertEqual([decoded.image.width, decoded.image.height], size, name)
        }
    }

    func testSecondRunChangesNothingAndReadsNothing() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        let before = try library.photos()
        let again = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual([again.scan.added, again.scan.changed, again.scan.moved, again.scan.removed], [0, 0, 0, 0])
        XCTAssertEqual(again.failures.count, 0, "unreadable photos are retried only when they change")
        XCTAssertEqual(try pendingCount(library, folder), 0)
        XCTAssertEqual(try library.photos(), before)
    }

    func testChangedMovedAndDeletedFiles() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        let movedID = try XCTUnwrap(try library.photo(path: folder.appendingPathComponent("a.jpg").path)).id
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("moved"),
                                                withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("a.jpg"),
                                         to: folder.appendingPathComponent("moved/a-renamed.jpg"))
        try write(jpeg(width: 200, height: 100, seed: 9), folder.appendingPathComponent("B.JPEG"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("sub/c.png"))
        let report = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual([report.scan.added, report.scan.changed, report.scan.moved, report.scan.removed], [0, 1, 1, 1])
        let moved = try XCTUnwrap(try library.photo(path: folder.appendingPathComponent("moved/a-renamed.jpg").path))
        XCTAssertEqual(moved.id, movedID, "a moved photo keeps its row (and with it its embeddings)")
        XCTAssertNotNil(try library.thumbnail(id: movedID))
        XCTAssertEqual(try library.photo(path: folder.appendingPathComponent("B.JPEG").path)?.width, 200)
        XCTAssertNil(try library.photo(path: folder.appendingPathComponent("sub/c.png").path))
        XCTAssertEqual(try library.photos().count, 4)
    }

    /// A page of hits is looked up in one query: the same records as one by one, missing ids left out.
    func testPhotosByIDsMatchOneByOne() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        let ids = try library.photos().map(\.id)
        let found = try library.photos(ids: ids + [999_999, ids[0]])
        XCTAssertEqual(found.count, ids.count)
        for id in ids {
            let single = try XCTUnwrap(try library.photo(id: id))
            XCTAssertEqual(found[id]?.path, single.path)
            XCTAssertEqual(found[id]?.contentHash, single.contentHash)
            XCTAssertEqual(found[id]?.width, single.width)
        }
        XCTAssertEqual(try library.photos(ids: []).count, 0)
    }

    /// The stamp `photos serve` polls moves with every embedding added, replaced (even the newest
    /// row's, which SQLite's REPLACE would otherwise give its old rowid back) or removed, and the
    /// delta after a stamp lists what was written since.
    func testTheEmbeddingsStampMovesWithEveryChange() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        let model = try library.registerModel(name: "m", dimension: 2, fingerprint: "f").id
        let ids = try library.photos().filter { $0.lastError == nil }.map(\.id)
        XCTAssertGreaterThanOrEqual(ids.count, 3)
        func embed(_ id: Int64, _ x: Float) throws {
            var result = IndexedPhoto(id: id, contentHash: "h\(id)")
            result.embedding = [x, 1 - x]
            try library.store([result], modelID: model, textReader: nil)
        }
        // SQLite counts the model's rows in a stamp; PostgreSQL does not (its removal count tells).
        let countsRows = !(library is PostgresPhotoLibrary)
        func rows(_ count: Int) -> Int? { countsRows ? count : nil }
        var stamps = [try library.embeddingsStamp(model: "m")]
        XCTAssertEqual(stamps[0].count, rows(0))
        XCTAssertEqual(try library.embeddingsStamp(model: "m").count, rows(0), "reading changes nothing")
        try embed(ids[0], 0.1)
        try embed(ids[1], 0.2)
        stamps.append(try library.embeddingsStamp(model: "m"))
        try embed(ids[1], 0.3)  // the newest row again
        stamps.append(try library.embeddingsStamp(model: "m"))
        try embed(ids[0], 0.4)
        stamps.append(try library.embeddingsStamp(model: "m"))
        XCTAssertEqual(stamps.map(\.count), [0, 2, 2, 2].map(rows))
        XCTAssertEqual(Set(stamps.map(\.since)).count, stamps.count, "every write moves the stamp: \(stamps)")
        let stored = try library.embeddings(model: "m")
        let byPhoto = Dictionary(uniqueKeysWithValues: stored.ids.enumerated().map {
            ($1, Array(stored.vectors[(2 * $0)..<(2 * $0 + 2)]))
        })
        XCTAssertEqual(byPhoto, [ids[0]: [0.4, 0.6], ids[1]: [0.3, 0.7]])
        // What a running search reads instead of every vector: the rows written after its stamp.
        let written = try library.embeddings(model: "m", writtenAfter: stamps[2])
        XCTAssertEqual(written.ids, [ids[0]], "only the row written after the stamp")
        XCTAssertEqual(written.vectors, [0.4, 0.6])
        XCTAssertEqual(written.stamp.count, rows(2))
        XCTAssertEqual(try library.embeddings(model: "m", writtenAfter: written.stamp).ids, [])
        XCTAssertEqual(try library.embeddings(model: "m", writtenAfter: stamps[0]).ids, ids.prefix(2).sorted())
        XCTAssertEqual(try library.embeddingIDs(model: "m"), ids.prefix(2).sorted())

        // The newest row's photo goes and another photo is embedded: as many rows as before, and
        // on SQLite the new row may take the removed one's rowid, below the stamp's `since`. The
        // stamp's removal count (SQLite) or the new row in the delta (PostgreSQL) tells.
        let before = try library.embeddingsStamp(model: "m")
        let removed = try XCTUnwrap(try library.photo(id: ids[0]))
        try FileManager.default.removeItem(atPath: removed.path)
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        try embed(ids[2], 0.5)
        let after = try library.embeddings(model: "m", writtenAfter: before)
        XCTAssertEqual(after.stamp.count, rows(2))
        XCTAssertTrue(after.stamp.removed > before.removed || after.ids == [ids[2]],
                      "a removal and an add must not look like nothing: \(before) → \(after.stamp), \(after.ids)")
        XCTAssertEqual(try library.embeddingIDs(model: "m"), [ids[1], ids[2]].sorted())
        XCTAssertEqual(try library.embeddingsStamp(model: "other").count, rows(0))
        XCTAssertEqual(try library.embeddingIDs(model: "other"), [])
    }

    func testAFolderThatVanishedKeepsItsPhotos() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        try FileManager.default.moveItem(at: folder, to: root.appendingPathComponent("unmounted"))
        let report = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual(report.scan.unavailableFolders, [folder.path])
        XCTAssertEqual(report.scan.removed, 0)
        XCTAssertEqual(try library.photos().count, 5)
    }

    func testPhotosGoneAfterTheScanStayPendingForTheNextRun() throws {
        let folder = try makeFolder()
        let library = try openLibrary()
        let scan = try PhotoScanner.scan([folder.path])
        let away = root.appendingPathComponent("unmounted")
        try FileManager.default.moveItem(at: folder, to: away)  // the disk goes away after the scan
        let report = try PhotoIndexer(library: library, model: nil).run(scan: scan)
        XCTAssertEqual(report.vanished.count, 5)
        XCTAssertEqual(report.failures.count, 0)
        XCTAssertTrue(try library.photos().allSatisfy { $0.lastError == nil && $0.contentHash == nil })
        try FileManager.default.moveItem(at: away, to: folder)
        let again = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual(again.vanished, [])
        XCTAssertEqual(again.failures.count, 2, "only the empty and the fake photo")
        XCTAssertEqual(try pendingCount(library, folder), 0)
    }

    func testNewerLibraryAndNonLibraryFilesAreRefused() throws {
        let path = root.appendingPathComponent("lib.sqlite").path
        do { _ = try PhotoLibrary(path: path) }  // created, then closed (the WAL is checkpointed)
        // SQLite keeps PRAGMA user_version at byte 60 of the header, big-endian.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 60)
        handle.write(Data([0, 0, 0, 99]))
        try handle.close()
        XCTAssertThrowsError(try PhotoLibrary(path: path)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("format version 99"), "\(error)")
        }
        let text = root.appendingPathComponent("notes.sqlite")
        try write(Array(String(repeating: "not a database ", count: 100).utf8), text)
        XCTAssertThrowsError(try PhotoLibrary(path: text.path)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive, "\(error)")
        }
        XCTAssertThrowsError(try PhotoLibrary(path: root.appendingPathComponent("none.sqlite").path, create: false))
    }

    private func image(width: Int, height: Int, seed: Int) throws -> PixelImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: (i / 3 % width) * seed + i % 3 * 80) }
        return try PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    private func jpeg(width: Int, height: Int, seed: Int) throws -> [UInt8] {
        try JPEGEncoder.encode(image(width: width, height: height, seed: seed))
    }

    private func write(_ bytes: [UInt8], _ url: URL) throws {
        try Data(bytes).write(to: url)
    }
}
