// What the PostgreSQL tests share: waiting until another session (psql on its own thread) has
// reached a point, and a value two threads share.

import EFCore
import EFTestSupport
import Foundation

extension PostgresCluster {
    /// Polls `query` (through psql) until it returns a row; fails after 30 s.
    func waitUntil(_ what: String, database: String, _ query: String) throws {
        let check = "DO $$ BEGIN IF NOT EXISTS (\(query)) THEN RAISE EXCEPTION 'not yet'; END IF; END $$"
        let deadline = Date().addingTimeInterval(30)
        while (try? sql(check, database: database)) == nil {
            guard Date() < deadline else { throw EdgeflowError(.internalError, "timed out waiting until \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// A value shared between threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
