// Prepares photos on worker threads and hands them to the model's thread in order, either
// beside the model (overlapped) or in turns with it (alternating). Alternating exists for the
// machine whose cores the model's threads already fill: a preparing thread that preempts one of
// the model's threads stalls all of them at the next barrier, so a photo prepared beside the
// model costs the model about twice the photo's own CPU time, while one prepared in turn costs
// only its share of the cores.

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

/// Prepares photos on worker threads, at most `window` ahead of the consumer, and hands them
/// over in order.
final class PreparationQueue: @unchecked Sendable {
    private let photos: [PendingPhoto]
    private let prepare: (PendingPhoto) -> PreparedPhoto
    private let window: Int
    private let schedule: PreparationSchedule
    private let condition = NSCondition()
    private var ready: [Int: PreparedPhoto] = [:]
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

    /// Starts `workers` (1…64) threads preparing `photos` as `schedule` says.
    init(_ photos: [PendingPhoto], workers: Int, schedule: PreparationSchedule,
         prepare: @escaping (PendingPhoto) -> PreparedPhoto) {
        self.photos = photos
        self.prepare = prepare
        window = Self.window(workers: workers, schedule: schedule)
        self.schedule = schedule
        open = schedule == .overlapped
        running = photos.isEmpty ? 0 : workers
        for _ in 0..<running {
            let thread = Thread { [self] in work() }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func work() {
        // Below the model's threads: preparing is the smaller job, and must not take their cores.
        if schedule == .overlapped { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) }  // this thread
        while true {
            condition.lock()
            while !stopped, next < photos.count, next >= consumed + window || !open { condition.wait() }
            guard !stopped, next < photos.count else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let index = next
            next += 1
            condition.unlock()
            let result = prepare(photos[index])
            condition.lock()
            ready[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The prepared photo at `index` (called with 0, 1, 2, … in order), waiting for it. When
    /// alternating, a photo not ready yet opens the workers' turn until the whole window from
    /// `index` on is ready.
    func take(_ index: Int) -> PreparedPhoto {
        condition.lock()
        defer { condition.unlock() }
        if schedule == .alternating, ready[index] == nil {
            open = true
            condition.broadcast()
            let end = min(index + window, photos.count)
            while !(index..<end).allSatisfy({ ready[$0] != nil }) { condition.wait() }
            open = false
        }
        while ready[index] == nil { condition.wait() }
        consumed = index + 1
        condition.broadcast()
        return ready.removeValue(forKey: index)!
    }

    /// Stops the workers and waits until they have left.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
