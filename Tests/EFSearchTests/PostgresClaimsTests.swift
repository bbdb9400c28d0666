// What only a shared PostgreSQL library does: two indexers on one folder split the photos
// (each read exactly once), claims of a worker that stopped expire and are taken over,
// embeddings read back bit for bit as SQLite does, and malformed URLs are refused with a clear
// message that never shows the password.

import EFCore
import EFMedia
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PostgresClaimsTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try TestData.temporaryDirectory("photo-claims")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A folder of `count` small distinct PNGs.
    private func folder(_ count: Int) throws -> URL {
        let folder = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in 0..<count {
            let image = try PixelImage(width: 24, height: 16, channels: 3,
                                       pixels: (0..<1152).map { UInt8(truncatingIfNeeded: $0 * (index + 2)) })
            try Data(PNGEncoder.encode(image)).write(to: folder.appendingPathComponent("p\(index).png"))
        }
        return folder
    }

    /// Runs `body` on two threads at once; returns both results.
    private func concurrently<T>(_ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: 2)
        results.initialize(repeating: nil, count: 2)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { worker in results[worker] = Result { try body(worker) } }
        return try (0..<2).map { try results[$0]!.get() }
    }

    func testTwoIndexersOnOneFolderReadEachPhotoOnce() throws {
        let url = try SharedPostgres.database()
        let folder = try folder(40)
        let done = try concurrently { _ -> Int in
            var options = IndexOptions()
            options.claims = ClaimOptions(batch: 3, leaseSeconds: 60)
            options.commitEvery = 2
            var count = 0
            _ = try PhotoIndexer(library: try PostgresPhotoLibrary(url: url), model: nil, options: options)
                .run(folders: [folder.path]) { count = $0.done }
            return count
        }
        XCTAssertEqual(done.reduce(0, +), 40, "every photo read once: \(done)")
        let library = try PostgresPhotoLibrary(url: url)
        let listing = try library.listing()
        XCTAssertEqual(listing.count, 40, "concurrent scans add each path once")
        XCTAssertTrue(listing.allSatisfy { $0.hasThumbnail && $0.photo.lastError == nil })
    }

    func testClaimsOfAStoppedWorkerExpireAndAreTakenOver() throws {
        let url = try SharedPostgres.database()
        let folder = try folder(12)
        let crashed = try PostgresPhotoLibrary(url: url)
        let scan = try PhotoScanner.scan([folder.path])
        let run = try crashed.beginRun(folders: [folder.path], model: nil)
        _ = try crashed.applyScan(scan.files, folders: [folder.path], unavailable: [], run: run) { _ in nil }
        let work = try crashed.pendingWork(under: [folder.path], modelID: nil, textReader: nil,
                                           claims: ClaimOptions(batch: 5, leaseSeconds: 1.5))
        XCTAssertEqual(try work.next().count, 5)  // claimed, never stored: the worker "crashed"

        var options = IndexOptions()
        options.claims = ClaimOptions(batch: 4, leaseSeconds: 60)
        let other = try PostgresPhotoLibrary(url: url)
        var first = 0
        _ = try PhotoIndexer(library: other, model: nil, options: options).run(folders: [folder.path]) {
            first = $0.done
        }
        XCTAssertEqual(first, 7, "the claimed photos are left alone while the claim holds")
        Thread.sleep(forTimeInterval: 1.6)
        var second = 0
        _ = try PhotoIndexer(library: other, model: nil, options: options).run(folders: [folder.path]) {
            second = $0.done
        }
        XCTAssertEqual(second, 5, "expired claims are taken over")
        XCTAssertTrue(try other.listing().allSatisfy(\.hasThumbnail))
    }

    func testEmbeddingsReadBackAsInSQLite() throws {
        let folder = try folder(3)
        let sqlite = try PhotoLibrary(path: root.appendingPathComponent("lib.sqlite").path)
        let postgres = try PostgresPhotoLibrary(url: try SharedPostgres.database())
        var stored: [(ids: [Int64], dimension: Int, vectors: [Float])] = []
        for library in [sqlite, postgres] as [any PhotoStore] {
            _ = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
            let model = try library.registerModel(name: "m", dimension: 4, fingerprint: "f1")
            let results = try library.photos().enumerated().map { index, photo in
                IndexedPhoto(id: photo.id, contentHash: photo.contentHash ?? "",
                             embedding: [Float(index), -0.5, .pi, 1e-30])
            }
            try library.store(results, modelID: model.id, textReader: nil)
            XCTAssertThrowsError(try library.store([IndexedPhoto(id: results[0].id, contentHash: "",
                                                                 embedding: [1])], modelID: model.id, textReader: nil))
            stored.append(try library.embeddings(model: "m"))
            XCTAssertEqual(try library.models().map(\.count), [3])
            XCTAssertEqual(try library.registerModel(name: "m", dimension: 4, fingerprint: "f2").reset, true)
            XCTAssertEqual(try library.embeddings(model: "m").ids, [], "new weights: old vectors dropped")
        }
        XCTAssertEqual(stored[0].dimension, stored[1].dimension)
        XCTAssertEqual(stored[0].vectors.map(\.bitPattern), stored[1].vectors.map(\.bitPattern))
        XCTAssertEqual(stored[0].ids.count, 3)
    }

    func testMalformedURLsAreRefusedWithoutThePassword() throws {
        let cases = ["postgres://", "postgres://host", "postgres://u:hunter2@host/db?bogus=1",
                     "postgres://u:hunter2@h/d b", "postgres://h/" + String(repeating: "d", count: 3000),
                     "postgresql://u@[::1/db", "mysql://u@h/db"]
        for url in cases {
            XCTAssertThrowsError(try PhotoStores.open(url, create: true), url) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArgument, "\(url): \(error)")
                XCTAssertFalse("\(error)".contains("hunter2"), "\(error)")
            }
        }
        let cluster = try SharedPostgres.cluster()
        let refused = "postgres://u:hunter2@127.0.0.1:\(cluster.port)/photos?password=hunter2"
        XCTAssertThrowsError(try PhotoStores.open(refused, create: true)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io, "\(error)")
            XCTAssertTrue("\(error)".contains("u:***@127.0.0.1"), "\(error)")
            XCTAssertFalse("\(error)".contains("hunter2"), "\(error)")
        }
    }
}
