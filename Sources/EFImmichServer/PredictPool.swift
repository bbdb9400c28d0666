// Runs the service's blocking work (decoding, models) on its own threads, at most `threads` at a
// time (the `slots`, which the service's batchers borrow back while a request waits for a batch),
// so Swift's concurrency threads stay free to answer `/ping` and accept connections; a request
// that would wait behind more than `queueLimit` others is refused at once.

import EFImmichML
import Foundation

/// A bounded pool for blocking work, used from async code.
final class PredictPool: @unchecked Sendable {
    private let queue: DispatchQueue
    /// One per request computing now; the work may give its slot back while it waits.
    let slots: WorkSlots
    private let lock = NSLock()
    private var waiting = 0
    let queueLimit: Int

    init(threads: Int, queueLimit: Int) {
        queue = DispatchQueue(label: "edgeflow.serve-ml.predict", attributes: .concurrent)
        slots = WorkSlots(count: threads)
        self.queueLimit = queueLimit
    }

    /// Counts one more waiting request, unless the queue is full.
    private func admit() -> Bool {
        lock.withLock {
            guard waiting < queueLimit else { return false }
            waiting += 1
            return true
        }
    }

    /// `work`'s result, computed on a pool thread holding a slot (handed to `work`, which may give
    /// it back while it waits and must take it again); nil when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable (WorkSlots) throws -> T) async throws -> T? {
        guard admit() else { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                slots.acquire()
                defer {
                    slots.release()
                    lock.withLock { waiting -= 1 }
                }
                continuation.resume(with: Result { try work(slots) })
            }
        }
    }
}
