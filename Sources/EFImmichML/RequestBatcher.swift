// Batching of concurrent requests for one model, without a timer: the first request to arrive
// while the model is idle runs at once; requests that arrive while it runs queue up, and the
// next run takes all of them (up to a limit) together. So a lone request waits for nothing, and
// under load the model runs in batches as large as the load makes them (Immich's service
// experimented with a 5 ms window instead; this one adds no latency).

import Foundation

/// Batches the items of concurrent callers into runs of `process`. Thread-safe; callers block.
public final class RequestBatcher<Item, Output>: @unchecked Sendable {
    /// One caller's share: its items' outputs, filled by whichever thread runs the batch.
    private final class Ticket {
        let items: [Item]
        var outputs: [Output] = []
        var error: Error?
        var remaining: Int
        /// Signalled when the items are done, or when this caller is to run the next batches.
        let wake = DispatchSemaphore(value: 0)
        init(_ items: [Item]) {
            self.items = items
            remaining = items.count
        }
    }

    private let lock = NSLock()
    private var waiting: [(ticket: Ticket, index: Int)] = []
    private var running = false
    /// The most items one run of `process` gets.
    public let maxItems: Int

    /// Items queued for a run now (for status and tests).
    public var waitingItems: Int { lock.withLock { waiting.count } }

    /// - Parameter maxItems: the most items per run (at least 1).
    public init(maxItems: Int) {
        self.maxItems = max(1, maxItems)
    }

    /// The outputs for `items`, in order, computed by `process` in a run that may hold other
    /// callers' items too. `process` must return one output per item it is given.
    /// - Throws: the error of a run that held any of `items`.
    public func run(_ items: [Item], process: ([Item]) throws -> [Output]) throws -> [Output] {
        if items.isEmpty { return [] }
        let ticket = Ticket(items)
        var leads: Bool = lock.withLock {
            waiting += items.indices.map { (ticket, $0) }
            if running { return false }
            running = true
            return true
        }
        while true {
            if leads { drain(until: ticket, process) }
            if !leads { ticket.wake.wait() }
            if ticket.remaining == 0 { break }
            leads = true  // woken to take over running batches
        }
        if let error = ticket.error { throw error }
        return ticket.outputs
    }

    /// Runs batches until `mine` is done, then hands the running over to the oldest waiting
    /// caller (so no caller serves others' requests for long).
    private func drain(until mine: Ticket, _ process: ([Item]) throws -> [Output]) {
        while mine.remaining > 0 {
            let batch: [(ticket: Ticket, index: Int)] = lock.withLock {
                let taken = Array(waiting.prefix(maxItems))
                waiting.removeFirst(taken.count)
                return taken
            }
            let result = Result { try process(batch.map { $0.ticket.items[$0.index] }) }
            for (position, (ticket, _)) in batch.enumerated() {
                switch result {
                case .success(let outputs) where outputs.count == batch.count:
                    ticket.outputs.append(outputs[position])
                case .success:
                    ticket.error = ticket.error ?? BatchCountMismatch()
                case .failure(let error):
                    ticket.error = ticket.error ?? error
                }
                ticket.remaining -= 1
                if ticket.remaining == 0, ticket !== mine { ticket.wake.signal() }
            }
        }
        let next: Ticket? = lock.withLock {
            if let first = waiting.first { return first.ticket }
            running = false
            return nil
        }
        next?.wake.signal()
    }

    private struct BatchCountMismatch: Error, CustomStringConvertible {
        var description: String { "a batch run returned a different number of outputs than it was given" }
    }
}

/// One `RequestBatcher` per model name, made on first use.
final class BatcherTable<Item, Output>: @unchecked Sendable {
    private let lock = NSLock()
    private var batchers: [String: RequestBatcher<Item, Output>] = [:]
    let maxItems: Int

    init(maxItems: Int) {
        self.maxItems = maxItems
    }

    func batcher(_ name: String) -> RequestBatcher<Item, Output> {
        lock.withLock {
            if let batcher = batchers[name] { return batcher }
            let batcher = RequestBatcher<Item, Output>(maxItems: maxItems)
            batchers[name] = batcher
            return batcher
        }
    }
}
