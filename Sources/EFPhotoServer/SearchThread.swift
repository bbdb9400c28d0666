// One long-lived thread that runs `photos serve`'s searches, one at a time. A search blocks for
// the text tower and the scan (tens of milliseconds), which would hold one of Swift's few
// concurrency threads and stall thumbnails and the page behind it; and libgomp keeps one thread
// pool per calling thread, so searches hopping between concurrency threads would keep several
// pools on the same cores. One calling thread keeps one pool; each search uses every core anyway.
// The model is loaded on it too (`runNow`): a second pool, even idle, makes libgomp count more
// threads than cores, and it then spins only ~100 times before a waiting thread sleeps — the text
// tower's ~240 steps then paid a sleep and a wake each (46–48 ms per query back to back instead
// of the 36 ms of `edgeflow benchmark`, ~500 context switches per query).

import Foundation

/// Runs blocking jobs in order on its own thread.
final class SearchThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init() {
        let thread = Thread {  // the thread keeps its runner for the process's life
            // Named for `top -H` (Foundation's `Thread.name` does not reach the kernel on Linux).
            try? "photos-search".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            self.serve()
        }
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

    /// `work`'s result, computed on the search thread after the jobs queued before it, the
    /// calling thread waiting for it (for setting up, before any request is served).
    func runNow<T>(_ work: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, Error>?
        condition.lock()
        jobs.append {
            result = Result { try work() }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try result!.get()
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
