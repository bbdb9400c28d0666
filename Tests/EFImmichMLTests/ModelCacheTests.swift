// ModelCache: one load per model however many ask at once, loads of other models not held up,
// failed loads retried and forgotten, models unloaded after the TTL on a clock the test moves.

import EFImmichML
import Foundation
import Synchronization
import XCTest

final class ModelCacheTests: XCTestCase {
    /// A clock the test sets.
    private final class TestClock: Sendable {
        let now = Mutex<Double>(0)
        func read() -> Double { now.withLock { $0 } }
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    }

    func testConcurrentFirstUsesLoadOnce() throws {
        let cache = ModelCache()
        let loads = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let model = try? cache.model("clip:a") { () -> String in
                loads.add(1, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.05)
                return "model a"
            }
            XCTAssertEqual(model, "model a")
        }
        XCTAssertEqual(loads.load(ordering: .relaxed), 1)
        XCTAssertEqual(cache.loadedKeys, ["clip:a"])
    }

    func testASlowLoadDoesNotHoldUpAnotherModel() throws {
        let cache = ModelCache()
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let slowDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? cache.model("slow") { () -> Int in
                started.signal()
                release.wait()
                return 1
            }
            slowDone.signal()
        }
        started.wait()
        XCTAssertEqual(try cache.model("fast") { 2 }, 2, "answered while the slow load is still running")
        release.signal()
        slowDone.wait()
        XCTAssertEqual(cache.loadedKeys, ["fast", "slow"])
    }

    func testAFailedLoadIsRetriedAndForgotten() throws {
        let cache = ModelCache()
        struct Missing: Error {}
        XCTAssertThrowsError(try cache.model("nowhere") { () throws -> Int in throw Missing() })
        XCTAssertEqual(cache.loadedKeys, [])
        XCTAssertEqual(try cache.model("nowhere") { 7 }, 7, "a later request loads it")
    }

    func testIdleModelsAreUnloadedAfterTheTTL() throws {
        let clock = TestClock()
        let cache = ModelCache(clock: { clock.read() })
        var loads = 0
        let make = { () -> String in loads += 1; return "m" }
        _ = try cache.model("a", make: make)
        _ = try cache.model("b", make: make)
        clock.advance(200)
        _ = try cache.model("a", make: make)
        clock.advance(150)
        XCTAssertEqual(cache.unloadIdle(olderThan: 300), ["b"], "b unused for 350 s, a for 150 s")
        XCTAssertEqual(cache.loadedKeys, ["a"])
        _ = try cache.model("b", make: make)
        XCTAssertEqual(loads, 3, "b loaded again on demand")
        clock.advance(301)
        XCTAssertEqual(cache.unloadIdle(olderThan: 300), ["a", "b"])
    }

    func testTheScheduleUnloadsOnItsOwn() throws {
        let cache = ModelCache()
        _ = try cache.model("a") { 1 }
        let unloaded = expectation(description: "unloaded")
        cache.startUnloading(ttl: 0.05, poll: 0.05) { keys in
            if keys == ["a"] { unloaded.fulfill() }
        }
        wait(for: [unloaded], timeout: 10)
        XCTAssertEqual(cache.loadedKeys, [])
        cache.startUnloading(ttl: 0, poll: 1) { _ in XCTFail("a TTL of 0 keeps models") }
    }
}
