// The loaded models of the service, as Immich's model cache keeps them: each made once on first
// use (concurrent first uses of one model wait for one load, other models are not held up by
// it), and dropped after sitting unused for the TTL, to be loaded again on the next request.
// A request that already holds a model keeps it alive until it finishes.

import Foundation

/// Models by key, loaded on demand and unloaded after a time unused. Thread-safe.
public final class ModelCache: @unchecked Sendable {
    /// One key's slot: its own lock serializes loading without holding up other keys.
    private final class Slot: @unchecked Sendable {
        let loading = NSLock()
        var model: Any?
        var lastUse: Double = 0
    }

    private let lock = NSLock()
    private var slots: [String: Slot] = [:]
    private var timer: DispatchSourceTimer?
    /// Seconds on a monotonic clock; a parameter so tests can move time.
    private let clock: @Sendable () -> Double

    /// - Parameter clock: seconds on a monotonic clock (default: the system's uptime).
    public init(clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.clock = clock
    }

    /// The model under `key`, made by `make` when it is not loaded. A failed load is not kept:
    /// the next request tries again.
    /// - Throws: what `make` throws.
    public func model<Model>(_ key: String, make: () throws -> Model) throws -> Model {
        let slot = lock.withLock {
            if let slot = slots[key] { return slot }
            let slot = Slot()
            slots[key] = slot
            return slot
        }
        slot.loading.lock()
        defer { slot.loading.unlock() }
        let now = clock()
        if let model = lock.withLock({ slot.model }) as? Model {
            lock.withLock { slot.lastUse = now }
            return model
        }
        let model: Model
        do {
            model = try make()
        } catch {
            // Forget the slot, so names that fail to load do not pile up.
            lock.withLock { if slots[key] === slot, slot.model == nil { slots[key] = nil } }
            throw error
        }
        lock.withLock {
            slot.model = model
            slot.lastUse = clock()
        }
        return model
    }

    /// Drops every model unused for more than `ttl` seconds; returns their keys, sorted.
    @discardableResult
    public func unloadIdle(olderThan ttl: Double) -> [String] {
        let now = clock()
        return lock.withLock {
            let idle = slots.filter { $0.value.model != nil && now - $0.value.lastUse > ttl }.map(\.key)
            for key in idle { slots[key]?.model = nil }
            return idle.sorted()
        }
    }

    /// Checks every `poll` seconds for models unused for more than `ttl` seconds and unloads them
    /// (Immich's MODEL_TTL and MODEL_TTL_POLL_S), telling `onUnload` their keys. Replaces an
    /// earlier schedule; `ttl` 0 or less unloads nothing (Immich's "keep loaded").
    public func startUnloading(ttl: Double, poll: Double, onUnload: @escaping @Sendable ([String]) -> Void) {
        let timer: DispatchSourceTimer? = ttl > 0 ? DispatchSource.makeTimerSource(queue: .global(qos: .utility)) : nil
        if let timer {
            let interval = max(0.01, poll)
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [weak self] in
                guard let keys = self?.unloadIdle(olderThan: ttl), !keys.isEmpty else { return }
                onUnload(keys)
            }
            timer.resume()
        }
        lock.withLock {
            self.timer?.cancel()
            self.timer = timer
        }
    }

    deinit { timer?.cancel() }

    /// The keys of the models loaded now, sorted.
    public var loadedKeys: [String] {
        lock.withLock { slots.filter { $0.value.model != nil }.map(\.key).sorted() }
    }
}
