// What a library holds at a glance, for `photos serve`'s status line: how many photos, how many
// could not be read, and the last index run.

import Foundation
import GRDB

/// One index run as the `runs` table records it.
public struct IndexRunSummary: Sendable, Equatable {
    /// When the run started and ended, "YYYY-MM-DDTHH:MM:SSZ" (UTC).
    public var startedAt: String
    /// nil while the run is going on (or when it was killed).
    public var finishedAt: String?
    /// The model's folder name, nil for a run without a model.
    public var model: String?
    /// "complete", or "running" while it goes on (or after it was killed).
    public var status: String
    /// Photos the scan found, photos embedded, photos that could not be read.
    public var found: Int
    public var embedded: Int
    public var failed: Int
}

/// Counts over the whole library.
public struct LibraryStatus: Sendable, Equatable {
    /// Every photo the library knows, readable or not.
    public var photos: Int
    /// Photos stored with a read error.
    public var unreadable: Int
    /// The most recently started index run, if any.
    public var lastRun: IndexRunSummary?
}

extension PhotoLibrary {
    /// The photo counts and the last index run (embedded counts per model are in `models()`).
    public func status() throws -> LibraryStatus {
        try read { db in
            let photos = try Int.fetchOne(db, sql: "SELECT count(*) FROM photos") ?? 0
            let unreadable = try Int.fetchOne(db, sql: "SELECT count(*) FROM photos WHERE last_error IS NOT NULL")
                ?? 0
            let run = try Row.fetchOne(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT 1").map { row in
                IndexRunSummary(startedAt: try row.value("started_at"), finishedAt: try row.value("finished_at"),
                                model: try row.value("model"), status: try row.value("status"),
                                found: try row.value("found"), embedded: try row.value("embedded"),
                                failed: try row.value("failed"))
            }
            return LibraryStatus(photos: photos, unreadable: unreadable, lastRun: run)
        }
    }
}
