// Batching of concurrent requests for one model: the first request to arrive while the model is
// idle runs at once; requests that arrive while it runs queue up, and the next run takes all of
// them (up to a limit) together. So a lone request waits for nothing, and under load the model
// runs in batches as large as the load makes them. Requests may announce themselves before they
// arrive (while their image is still being decoded): a run then waits for announced items, at
// most `gatherWindow`, so two clients that send together are run together (Immich's service
// experimented with a fixed 5 ms window instead). A caller waiting for another thread's run
// gives its `WorkSlots` slot back meanwhile, so other requests can get to the batcher.

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

    /// Items a caller said will come; `pending` drops to 0 when they arrive or are withdrawn.
    public final class Announcement: @unchecked Sendable {
        fileprivate var pending: Int
        fileprivate init(_ pending: Int) { self.pending = pending }
    }

    /// Guards every mutable field; signalled when items arrive or announcements are withdrawn.
    private let lock = NSCondition()
    private var waiting: [(ticket: Ticket, index: Int)] = []
    private var announced = 0
    private var running = false
    /// The most items one run of `process` gets.
    public let maxItems: Int
    /// The longest a run waits for announced items that have not arrived yet.
    public let gatherWindow: TimeInterval
    /// The size of every run so far, in order (for status and tests; the last 64).
    public var runSizes: [Int] { lock.withLock { sizes } }
    private var sizes: [Int] = []

    /// Items queued for a run now (for status and tests).
    public var waitingItems: Int { lock.withLock { waiting.count } }
    /// Items announced and neither given nor withdrawn yet (for status and tests).
    public var announcedItems: Int { lock.withLock { announced } }

    /// - Parameters:
    ///   - maxItems: the most items per run (at least 1).
    ///   - gatherWindow: how long a run may wait for announced items (0: never waits).
    public init(maxItems: Int, gatherWindow: TimeInterval = 0) {
        self.maxItems = max(1, maxItems)
        self.gatherWindow = max(0, gatherWindow)
    }

    /// Says that `items` items will be given to `run` soon; pass the result to that `run`, and
    /// to `withdraw` when the caller fails before it gets there.
    public func announce(_ items: Int) -> Announcement {
        lock.withLock { announced += max(0, items) }
        return Announcement(max(0, items))
    }

    /// Takes back what `announcement` promised and has not delivered (nothing after its `run`).
    public func withdraw(_ announcement: Announcement) {
        lock.withLock {
            settle(announcement)
            lock.broadcast()
        }
    }

    /// Removes what `announcement` still promises from `announced`; the caller holds the lock.
    private func settle(_ announcement: Announcement) {
        announced -= announcement.pending
        announcement.pending = 0
    }

    /// The outputs for `items`, in order, computed by `process` in a run that may hold other
    /// callers' items too. `process` must return one output per item it is given.
    /// - Parameters:
    ///   - announcement: what `announce` gave for these items, if called.
    ///   - slots: the caller's work slot, given back while it waits for another thread's run.
    /// - Throws: the error of a run that held any of `items`.
    public func run(_ items: [Item], announced announcement: Announcement? = nil, yielding slots: WorkSlots? = nil,
                    process: ([Item]) throws -> [Output]) throws -> [Output] {
        if items.isEmpty {
            if let announcement { withdraw(announcement) }
            return []
        }
        let ticket = Ticket(items)
        var leads: Bool = lock.withLock {
            // Delivered and queued at once, so a run waiting for the announcement never misses the items.
            if let announcement { settle(announcement) }
            waiting += items.indices.map { (ticket, $0) }
            lock.broadcast()
            if running { return false }
            running = true
            return true
        }
        while true {
            if leads { drain(until: ticket, process) }
            if !leads {
                slots?.release()
                ticket.wake.wait()
                slots?.acquire()
            }
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
                let deadline = Date(timeIntervalSinceNow: gatherWindow)
                while waiting.count < maxItems, announced > 0, lock.wait(until: deadline) {}
                let taken = Array(waiting.prefix(maxItems))
                waiting.removeFirst(taken.count)
                sizes = sizes.suffix(63) + [taken.count]
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
    let gatherWindow: TimeInterval

    init(gatherWindow: TimeInterval = 0) {
        self.gatherWindow = gatherWindow
    }

    /// The batcher of `name`, if it has been made.
    func existing(_ name: String) -> RequestBatcher<Item, Output>? {
        lock.withLock { batchers[name] }
    }

    /// The batcher of `name`, made with `maxItems` on first use.
    func batcher(_ name: String, maxItems: Int) -> RequestBatcher<Item, Output> {
        lock.withLock {
            if let batcher = batchers[name] { return batcher }
            let batcher = RequestBatcher<Item, Output>(maxItems: maxItems, gatherWindow: gatherWindow)
            batchers[name] = batcher
            return batcher
        }
    }
}
