// Runs the service's blocking work (decoding, models) on its own threads, at most `threads` at a
// time, so Swift's concurrency threads stay free to answer `/ping` and accept connections; a
// request that would wait behind more than `queueLimit` others is refused at once.

import Foundation

/// A bounded pool for blocking work, used from async code.
final class PredictPool: @unchecked Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    private var waiting = 0
    let queueLimit: Int

    init(threads: Int, queueLimit: Int) {
        queue = DispatchQueue(label: "edgeflow.serve-ml.predict", attributes: .concurrent)
        slots = DispatchSemaphore(value: max(1, threads))
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

    /// `work`'s result, computed on a pool thread; nil when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T? {
        guard admit() else { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                slots.wait()
                defer {
                    slots.signal()
                    lock.withLock { waiting -= 1 }
                }
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
