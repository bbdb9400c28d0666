// A version 2 SQLite library (before the removal count) is migrated to version 3: the count
// starts at 0, moves with each removed embedding (cascaded from a removed photo), and not with
// an embedding replaced in place.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import GRDB
import XCTest

/// Turns a library back into an older format, as an older Edgeflow wrote it.
enum LibraryDowngrade {
    /// Drops what version 3 added.
    static func removeVersion3(_ db: Database) throws {
        try db.execute(sql: "DROP TRIGGER embeddings_removed; ALTER TABLE models DROP COLUMN removed")
    }
}

final class LibraryMigrationTests: XCTestCase {
    func testAVersion2LibraryGainsTheRemovalCount() throws {
        let root = try TestData.temporaryDirectory("library-migration")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("lib.sqlite").path
        do { _ = try PhotoLibrary(path: path) }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO photos (id, path, size, mtime_ns, added_at, seen_run) VALUES
                    (1, '/p/a.jpg', 1, 1, 'now', 0), (2, '/p/b.jpg', 1, 1, 'now', 0), (3, '/p/c.jpg', 1, 1, 'now', 0);
                INSERT INTO models (id, name, dimension, fingerprint) VALUES (1, 'm', 1, 'f');
                INSERT INTO embeddings (photo_id, model_id, vector) VALUES
                    (1, 1, x'0000803f'), (2, 1, x'00000040'), (3, 1, x'00004040');
                PRAGMA user_version = 2;
                """)
            try LibraryDowngrade.removeVersion3(db)
        }
        try queue.close()

        let library = try PhotoLibrary(path: path)
        XCTAssertEqual(try library.embeddingsStamp(model: "m").removed, 0)
        XCTAssertEqual(try library.embeddingsStamp(model: "m").count, 3)
        // Stored again (INSERT OR REPLACE deletes the old row without firing the trigger).
        var result = IndexedPhoto(id: 2, contentHash: "h")
        result.embedding = [5]
        try library.store([result], modelID: 1, textReader: nil)
        XCTAssertEqual(try library.embeddingsStamp(model: "m").removed, 0, "a replaced row is not a removal")
        let reopened = try DatabaseQueue(path: path)
        try reopened.write { db in try db.execute(sql: "DELETE FROM photos WHERE id IN (1, 3)") }
        try reopened.close()
        let stamp = try library.embeddingsStamp(model: "m")
        XCTAssertEqual(stamp.removed, 2, "each embedding cascaded from a removed photo counts")
        XCTAssertEqual(stamp.count, 1)
        XCTAssertEqual(try library.embeddings(model: "m").vectors, [5])
    }
}
