// The requests allowed to compute at once (`MACHINE_LEARNING_REQUEST_THREADS`): a counting
// semaphore shared by the server's predict pool, which takes a slot per request, and the
// service's batchers, where a request waiting for another thread's batch run gives its slot
// back, so that more requests can reach the batch (and nobody computes beyond the limit).

import Foundation

/// A counting semaphore of work slots. Thread-safe.
public final class WorkSlots: Sendable {
    private let semaphore: DispatchSemaphore

    /// - Parameter count: slots, at least 1.
    public init(count: Int) {
        semaphore = DispatchSemaphore(value: max(1, count))
    }

    /// Takes a slot, waiting until one is free.
    public func acquire() { semaphore.wait() }

    /// Gives a slot back.
    public func release() { semaphore.signal() }
}
