// Prepares photos on worker threads and hands them to the model's thread in order, either
// beside the model (overlapped) or in turns with it (alternating). Alternating exists for the
// machine whose cores the model's threads already fill: a preparing thread that preempts one of
// the model's threads stalls all of them at the next barrier, so a photo prepared beside the
// model costs the model about twice the photo's own CPU time, while one prepared in turn costs
// only its share of the cores. The photos come from a source in batches (all at once from an
// SQLite library, claimed batches from a shared PostgreSQL one); the workers ask it for the next
// batch when they reach the end of the last, so preparing never drains between batches.

import EFKernels
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// When photos are prepared relative to the model's runs.
public enum PreparationSchedule: String, Sendable, CaseIterable {
    /// While the model runs (for spare cores beside the model's threads).
    case overlapped
    /// While the model waits: the workers prepare a window of photos (`PreparationQueue.window`),
    /// then the model embeds them.
    case alternating
}

/// Prepares items (photos) on worker threads, at most `window` ahead of the consumer, and hands
/// them over in order. Generic so that tests can drive it with plain values.
public final class PreparationQueue<Item, Prepared>: @unchecked Sendable {
    private let source: () throws -> [Item]
    private let makePreparer: () throws -> (Item) -> Prepared
    private let window: Int
    private let schedule: PreparationSchedule
    private let condition = NSCondition()
    /// Every item the source has given so far, in order.
    private var items: [Item] = []
    /// The source gave an empty batch (nothing more), or failed.
    private var exhausted = false
    private var sourceError: Error?
    /// A worker could not make its preparer: `take` throws this.
    private var setupError: Error?
    /// A worker is asking the source for more; how many times one has.
    private var fetching = false, calls = 0
    private var ready: [Int: Prepared] = [:]
    private var next = 0
    private var consumed = 0
    private var stopped = false
    private var running = 0
    /// Whether workers may start a photo (always when overlapped; while the consumer waits when alternating).
    private var open: Bool

    /// How far ahead of the model `workers` may prepare. Overlapped: 4 per worker and 8 more, enough
    /// to keep the model fed. Alternating: each turn costs a switch (the model's OpenMP threads spin
    /// before they sleep, the caches are refilled), so turns are long: 32 photos per worker and 32
    /// more, at most 128 (a 224-pixel CLIP input is 0.6 MB; 128 of them 77 MB). On library-200 with
    /// the int8 ViT-B/32 tower (Intel Xeon, 2 threads) 16 photos a turn gave 37.6 photos/s, 48 gave
    /// 38.9, 96 gave 43.2 and all 200 in one turn 44.6.
    private static func window(workers: Int, schedule: PreparationSchedule) -> Int {
        switch schedule {
        case .overlapped: return 4 * workers + 8
        case .alternating: return min(128, 32 * workers + 32)
        }
    }

    /// Starts `workers` (1…64) threads preparing the items `source` hands out (called again for
    /// more each time the workers reach the end of its last batch, until it returns none) as
    /// `schedule` says.
    public convenience init(workers: Int, schedule: PreparationSchedule, source: @escaping () throws -> [Item],
                            prepare: @escaping (Item) -> Prepared) {
        self.init(workers: workers, schedule: schedule, source: source, makePreparer: { prepare })
    }

    /// As `init(workers:schedule:source:prepare:)`, each worker making its own `prepare` first
    /// (`makePreparer` runs on the worker's thread: what it loads is that thread's); when it
    /// throws, `take` throws that error.
    public init(workers: Int, schedule: PreparationSchedule, source: @escaping () throws -> [Item],
                makePreparer: @escaping () throws -> (Item) -> Prepared) {
        self.source = source
        self.makePreparer = makePreparer
        window = Self.window(workers: workers, schedule: schedule)
        self.schedule = schedule
        open = schedule == .overlapped
        running = workers
        for _ in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func work() {
        // Below the model's threads: preparing is the smaller job, and must not take their cores.
        if schedule == .overlapped { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) }  // this thread
        // One thread per worker: the workers run side by side, and models they load and run (the
        // text reader's, compiled per photo shape on first use) must not start OpenMP pools of
        // their own beside the model's: with more pool threads than cores libgomp lets waiting
        // threads spin only ~100 times, and the model's threads then sleep and wake at every step.
        Parallel.setThreadCount(1)
        let prepare: (Item) -> Prepared
        do {
            prepare = try makePreparer()
        } catch {
            condition.withLock {
                setupError = setupError ?? error
                running -= 1
                condition.broadcast()
            }
            return
        }
        condition.lock()
        defer {
            running -= 1
            condition.broadcast()
            condition.unlock()
        }
        while true {
            while !stopped, !exhausted || next < items.count,
                  next >= consumed + window || !open || (next == items.count && fetching) { condition.wait() }
            if stopped || (exhausted && next >= items.count) { return }
            if next == items.count {
                fetching = true
                calls += 1
                condition.unlock()
                let batch = Result { try source() }
                condition.lock()
                fetching = false
                switch batch {
                case .success(let more): if more.isEmpty { exhausted = true } else { items += more }
                case .failure(let error): (sourceError, exhausted) = (error, true)
                }
                condition.broadcast()
                continue
            }
            let index = next, item = items[index]
            next += 1
            condition.unlock()
            let result = prepare(item)
            condition.lock()
            ready[index] = result
            condition.broadcast()
        }
    }

    /// The item at `index` and its preparation (called with 0, 1, 2, … in order), waiting for
    /// it; nil after the last item. When alternating, an item not ready yet opens the workers'
    /// turn until the whole window from `index` on is ready (or the source has no more).
    /// - Throws: what the source threw, once the items it gave before are taken; what a worker's
    ///   `makePreparer` threw.
    public func take(_ index: Int) throws -> (item: Item, prepared: Prepared)? {
        condition.lock()
        defer { condition.unlock() }
        if schedule == .alternating, ready[index] == nil {
            open = true
            condition.broadcast()
            while setupError == nil, !turnDone(from: index) { condition.wait() }
            open = false
        }
        while ready[index] == nil {
            if let setupError { throw setupError }
            if exhausted, index >= items.count {
                if let sourceError { throw sourceError }
                return nil
            }
            if stopped { return nil }
            condition.wait()
        }
        consumed = index + 1
        condition.broadcast()
        return (items[index], ready.removeValue(forKey: index)!)
    }

    /// True when the window from `index` is ready, or every photo up to the source's end is.
    private func turnDone(from index: Int) -> Bool {
        let end = min(index + window, items.count)
        let known = end == index + window || exhausted || stopped
        return known && (index..<max(index, end)).allSatisfy { ready[$0] != nil }
    }

    /// How many times the workers have asked the source so far (for tests).
    public var sourceCalls: Int { condition.withLock { calls } }

    /// Stops the workers and waits until they have left.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
