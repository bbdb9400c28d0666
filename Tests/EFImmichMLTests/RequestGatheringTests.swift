// RequestBatcher's announcements and work slots: a run waits (at most its gather window) for
// items announced and not yet arrived, so two requests sent together share a run; a withdrawn
// announcement ends the wait; nothing waits without announcements; a caller waiting for another
// thread's run gives its work slot back, so a third request can start meanwhile.

import EFImmichML
import Foundation
import Synchronization
import XCTest

final class RequestGatheringTests: XCTestCase {
    func testARunWaitsForAnAnnouncedItemAndTakesItAlong() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 2, gatherWindow: 30)
        let late = batcher.announce(1)
        let group = DispatchGroup()
        let second = Mutex<[Int]?>(nil)
        DispatchQueue.global().async(group: group) {
            Thread.sleep(forTimeInterval: 0.2)
            let out = try? batcher.run([2], announced: late) { $0.map { $0 * 10 } }
            second.withLock { $0 = out }
        }
        let first = try batcher.run([1], announced: batcher.announce(1)) { $0.map { $0 * 10 } }
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(first, [10])
        XCTAssertEqual(second.withLock { $0 }, [20])
        XCTAssertEqual(batcher.runSizes, [2], "the announced item arrived 0.2 s later and shared the run")
    }

    func testAWithdrawnAnnouncementEndsTheWait() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 4, gatherWindow: 30)
        let failed = batcher.announce(1)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { batcher.withdraw(failed) }
        let start = Date()
        XCTAssertEqual(try batcher.run([5]) { $0 }, [5])
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "ended by the withdrawal, not the 30 s window")
        XCTAssertEqual(batcher.runSizes, [1])
        batcher.withdraw(failed)  // twice is harmless
        let again = Date()
        XCTAssertEqual(try batcher.run([6]) { $0 }, [6])
        XCTAssertLessThan(Date().timeIntervalSince(again), 5, "nothing announced: no wait")
    }

    func testTheWindowBoundsTheWaitForAnItemThatNeverComes() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 2, gatherWindow: 0.2)
        let never = batcher.announce(1)
        defer { batcher.withdraw(never) }
        let start = Date()
        XCTAssertEqual(try batcher.run([7]) { $0 }, [7])
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, 0.19)
        XCTAssertLessThan(waited, 10)
    }

    func testAWaitingCallerGivesItsSlotBack() throws {
        let slots = WorkSlots(count: 2)
        let batcher = RequestBatcher<Int, Int>(maxItems: 8)
        let firstRunStarted = DispatchSemaphore(value: 0), releaseFirstRun = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {  // holds a slot and the running batch
            slots.acquire()
            defer { slots.release() }
            _ = try? batcher.run([1], yielding: slots) { items in
                firstRunStarted.signal()
                releaseFirstRun.wait()
                return items
            }
        }
        firstRunStarted.wait()
        DispatchQueue.global().async(group: group) {  // takes the second slot, then waits for the batch
            slots.acquire()
            defer { slots.release() }
            _ = try? batcher.run([2], yielding: slots) { $0 }
        }
        let deadline = Date().addingTimeInterval(20)
        while batcher.waitingItems < 1, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        // Both slots were taken; the waiting caller gave its slot back, so a third request gets one.
        let third = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { slots.acquire(); third.signal() }
        XCTAssertEqual(third.wait(timeout: .now() + 10), .success, "the waiting caller's slot was free")
        slots.release()  // the third request is done
        releaseFirstRun.signal()
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success, "the waiting caller took a slot back and ended")
        XCTAssertEqual(batcher.runSizes, [1, 1])
    }
}
