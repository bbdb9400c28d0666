// Read-only statements on several connections to one PostgreSQL library, for `photos serve`: a
// thumbnail or a photo's record does not wait behind another request's long read (loading
// 100,000 vectors takes most of a second). Connections are opened when first needed, up to a
// limit, and kept open; a caller finding them all busy waits for one. Writes and transactions
// stay on the library's own connection, so a reader sees committed rows only.

import EFCore
import Foundation

/// A bounded set of connections for reads. Thread-safe.
final class PostgresReaderPool: @unchecked Sendable {
    private let url: PostgresURL
    /// The most connections open at once (at least 1).
    let capacity: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0

    /// A pool of at most `capacity` connections to `url`; none is opened yet.
    init(url: PostgresURL, capacity: Int) {
        self.url = url
        self.capacity = max(1, capacity)
    }

    /// Connections open now, idle or busy (for tests).
    var openConnections: Int { condition.withLock { opened } }

    /// Runs one read statement on an idle connection (opening one when none is idle and fewer
    /// than `capacity` are open, else waiting for one).
    /// - Throws: `EdgeflowError.io` when no connection can be opened or the statement fails.
    func execute(_ sql: String, _ parameters: [PostgresValue] = [], binary: Bool = false) throws -> PostgresRows {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try connection.execute(sql, parameters, binary: binary)
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while idle.isEmpty && opened >= capacity { condition.wait() }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        opened += 1
        condition.unlock()
        do {
            return try PostgresConnection(url)
        } catch {
            condition.withLock {
                opened -= 1
                condition.signal()
            }
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        condition.withLock {
            idle.append(connection)
            condition.signal()
        }
    }
}
