// One long-lived thread that runs `photos serve`'s searches, one at a time. A search blocks for
// the text tower and the scan (tens of milliseconds), which would hold one of Swift's few
// concurrency threads and stall thumbnails and the page behind it; and libgomp keeps one thread
// pool per calling thread, so searches hopping between concurrency threads would keep several
// pools on the same cores. One calling thread keeps one pool; each search uses every core anyway.

import Foundation

/// Runs blocking jobs in order on its own thread.
final class SearchThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init() {
        let thread = Thread { self.serve() }  // the thread keeps its runner for the process's life
        thread.name = "edgeflow.photos.search"
        thread.start()
    }

    /// `work`'s result, computed on the search thread after the jobs queued before it.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            jobs.append { continuation.resume(with: Result { try work() }) }
            condition.signal()
            condition.unlock()
        }
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
