// The rows a running search reads from a PostgreSQL library after its stamp, when writers commit
// out of the order they began: a transaction that began first (smaller id) and commits after
// another's rows were seen is still listed, because the stamp records the oldest transaction
// running when it was read rather than the newest row seen. Removals, cascaded from removed
// photos included, show in the model's removal count (no check counts the rows). Libraries of
// versions 1 and 2 (before rows recorded their writer, before removals were counted) are
// migrated when opened.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PostgresEmbeddingDeltaTests: XCTestCase {
    /// A new library with three photos and the 2-d model "m".
    private struct Scene {
        let cluster: PostgresCluster
        let url: String
        let name: String
        let library: PostgresPhotoLibrary
        let model: Int64
        let ids: [Int64]

        init() throws {
            cluster = try SharedPostgres.cluster()
            url = try cluster.createDatabase()
            name = String(url.split(separator: "/").last!)
            library = try PostgresPhotoLibrary(url: url)
            try cluster.sql("""
                INSERT INTO photos (path, size, mtime_ns, added_at, seen_run)
                SELECT '/p/' || i || '.jpg', 1, 1, 'now', 0 FROM generate_series(1, 3) AS i;
                """, database: name)
            model = try library.registerModel(name: "m", dimension: 2, fingerprint: "f").id
            ids = try library.photos().map(\.id).sorted()
        }

        /// Stores `vector` as photo `id`'s embedding through `store` (the scene's library by default).
        func embed(_ id: Int64, _ vector: [Float], in store: PostgresPhotoLibrary? = nil) throws {
            var result = IndexedPhoto(id: id, contentHash: "h\(id)")
            result.embedding = vector
            try (store ?? library).store([result], modelID: model, textReader: nil)
        }
    }

    func testASlowWritersRowsAreListedAfterAFasterOnesWereSeen() throws {
        let scene = try Scene()
        let (cluster, name, library, ids) = (scene.cluster, scene.name, scene.library, scene.ids)
        try scene.embed(ids[0], [0.1, 0.9])

        // The slow writer: replaces photo 1's vector, then waits 3 s before committing.
        let replacement: [Float] = [0.7, 0.3]
        let hex = replacement.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        let committed = Locked(false)
        let slow = Thread {
            try? cluster.sql("""
                BEGIN; UPDATE embeddings SET vector = '\\x\(hex)'::bytea WHERE photo_id = \(ids[0]);
                SELECT pg_sleep(3); COMMIT;
                """, database: name)
            committed.set(true)
        }
        slow.start()
        try cluster.waitUntil("the slow writer holds a transaction id", database: name, """
            SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL
            """)
        // A faster writer begins later (a larger transaction id) and commits first; the search's
        // stamp is read after it, while the slow one is still open.
        try scene.embed(ids[1], [0.2, 0.8])
        let stamp = try library.embeddingsStamp(model: "m")
        XCTAssertEqual(stamp.count, nil, "PostgreSQL does not count the rows")
        XCTAssertEqual(stamp.removed, 0)
        XCTAssertFalse(committed.get(), "the stamp must be read while the slow writer is open")
        while !committed.get() { Thread.sleep(forTimeInterval: 0.05) }

        let delta = try library.embeddings(model: "m", writtenAfter: stamp)
        let row = try XCTUnwrap(delta.ids.firstIndex(of: ids[0]), "the slow writer's row is listed: \(delta.ids)")
        XCTAssertEqual(Array(delta.vectors[(2 * row)..<(2 * row + 2)]), replacement)
        XCTAssertEqual(delta.stamp.removed, 0)
        XCTAssertEqual(try library.embeddings(model: "m", writtenAfter: delta.stamp).ids, [],
                       "nothing is open now: the next delta is empty")

        // A removal (cascaded from its photo) shows in the removal count; the ids say which photo went.
        try cluster.sql("DELETE FROM photos WHERE id = \(ids[1])", database: name)
        let afterRemoval = try library.embeddings(model: "m", writtenAfter: delta.stamp)
        XCTAssertEqual(afterRemoval.ids, [])
        XCTAssertEqual(afterRemoval.stamp.removed, 1)
        XCTAssertEqual(try library.embeddingsStamp(model: "m").removed, 1)
        XCTAssertEqual(try library.embeddingIDs(model: "m"), [ids[0]])
        // One statement removing several rows counts each; a model's count is its own.
        let other = try library.registerModel(name: "other", dimension: 2, fingerprint: "g").id
        var otherRow = IndexedPhoto(id: ids[2], contentHash: "h")
        otherRow.embedding = [0.5, 0.5]
        try library.store([otherRow], modelID: other, textReader: nil)
        try scene.embed(ids[2], [0.4, 0.6])
        try cluster.sql("DELETE FROM embeddings WHERE photo_id IN (\(ids[0]), \(ids[2]))", database: name)
        XCTAssertEqual(try library.embeddingsStamp(model: "m").removed, 3)
        XCTAssertEqual(try library.embeddingsStamp(model: "other").removed, 1)
    }

    func testAVersion1LibraryIsMigratedAndEveryRowListedOnce() throws {
        let scene = try Scene()
        let (cluster, name, library, ids) = (scene.cluster, scene.name, scene.library, scene.ids)
        try scene.embed(ids[0], [0.1, 0.9])
        try scene.embed(ids[1], [0.2, 0.8])
        let stamp = try library.embeddingsStamp(model: "m")
        XCTAssertEqual(try library.embeddings(model: "m", writtenAfter: stamp).ids, [])
        // Back to version 1's schema, as a library written before format 2 is.
        try cluster.sql("""
            DROP TRIGGER embeddings_written ON embeddings; DROP FUNCTION edgeflow_embedding_written();
            DROP INDEX embeddings_by_writer; ALTER TABLE embeddings DROP COLUMN written_by;
            DROP TRIGGER embeddings_removed ON embeddings; DROP FUNCTION edgeflow_embeddings_removed();
            ALTER TABLE models DROP COLUMN removed;
            UPDATE edgeflow_library SET format_version = 1;
            """, database: name)

        let migrated = try PostgresPhotoLibrary(url: scene.url)
        try cluster.waitUntil("the library is at format 3", database: name,
                              "SELECT 1 FROM edgeflow_library WHERE format_version = 3")
        let rewritten = try migrated.embeddings(model: "m", writtenAfter: stamp)
        XCTAssertEqual(rewritten.ids, [ids[0], ids[1]], "the migration wrote every row: a running search reads all")
        XCTAssertEqual(rewritten.vectors, [0.1, 0.9, 0.2, 0.8])
        XCTAssertEqual(try migrated.embeddings(model: "m", writtenAfter: rewritten.stamp).ids, [])
        // After it, a replaced vector is listed (the trigger) and so is a new one (the default).
        try scene.embed(ids[1], [0.6, 0.4], in: migrated)
        try scene.embed(ids[2], [0.3, 0.7], in: migrated)
        let written = try migrated.embeddings(model: "m", writtenAfter: rewritten.stamp)
        XCTAssertEqual(written.ids, [ids[1], ids[2]])
        XCTAssertEqual(written.vectors, [0.6, 0.4, 0.3, 0.7])
        XCTAssertEqual(written.stamp.removed, 0)
        try cluster.sql("DELETE FROM photos WHERE id = \(ids[0])", database: name)
        XCTAssertEqual(try migrated.embeddings(model: "m", writtenAfter: written.stamp).stamp.removed, 1,
                       "the migrated library counts removals")
    }
}
