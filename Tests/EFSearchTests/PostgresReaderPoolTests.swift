// A PostgreSQL library opened with read connections (as `photos serve` opens it): a read does not
// wait behind another read that is stuck, and no more connections are opened than allowed.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PostgresReaderPoolTests: XCTestCase {
    /// Another session locks the embeddings table, so a vector load blocks on it; meanwhile a
    /// thumbnail and the photo records are read on the pool's other connection. Without the pool
    /// they would queue behind the blocked load on the one connection.
    func testAReadDoesNotWaitBehindABlockedRead() throws {
        let cluster = try SharedPostgres.cluster()
        let url = try cluster.createDatabase()
        let name = String(url.split(separator: "/").last!)
        let library = try PostgresPhotoLibrary(url: url, readConnections: 2)
        try cluster.sql("""
            INSERT INTO photos (path, size, mtime_ns, added_at, seen_run) VALUES ('/p/a.jpg', 1, 1, 'now', 0);
            INSERT INTO thumbnails (photo_id, width, height, jpeg) SELECT id, 1, 1, '\\xffd8ffd9'::bytea FROM photos;
            INSERT INTO models (name, dimension, fingerprint) VALUES ('m', 4, 'f');
            """, database: name)
        XCTAssertEqual(library.openReadConnections, 0, "connections are opened when first needed")

        let locker = Thread {
            try? cluster.sql("BEGIN; LOCK TABLE embeddings IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;",
                             database: name)
        }
        locker.start()
        try cluster.waitUntil("the embeddings table is locked", database: name, """
            SELECT 1 FROM pg_locks WHERE relation = 'embeddings'::regclass AND mode = 'AccessExclusiveLock' AND granted
            """)
        let loaded = Locked(false)
        let blocked = Thread {
            _ = try? library.embeddings(model: "m")
            loaded.set(true)
        }
        blocked.start()
        try cluster.waitUntil("the vector load waits for the lock", database: name, """
            SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
            """)

        XCTAssertEqual(try library.thumbnail(id: 1), [0xFF, 0xD8, 0xFF, 0xD9])
        XCTAssertEqual(try library.photos().map(\.path), ["/p/a.jpg"])
        XCTAssertFalse(loaded.get(), "the reads above ran while the vector load was still blocked")
        XCTAssertEqual(library.openReadConnections, 2)

        while !loaded.get() { Thread.sleep(forTimeInterval: 0.05) }
        // Many concurrent readers share the two connections.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in XCTAssertEqual(try? library.photos().count, 1) }
        XCTAssertEqual(library.openReadConnections, 2)
    }
}
