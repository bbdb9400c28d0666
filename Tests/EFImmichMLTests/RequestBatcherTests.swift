// RequestBatcher: a lone request runs at once; requests that arrive while a run is going are
// run together in the next one (up to the limit); every caller gets its own outputs in order;
// a failing run fails exactly the callers whose items it held.

import EFImmichML
import Foundation
import Synchronization
import XCTest

final class RequestBatcherTests: XCTestCase {
    func testALoneRequestRunsAtOnceWithItsOwnItems() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 8)
        var sizes: [Int] = []
        let outputs = try batcher.run([1, 2, 3]) { items in
            sizes.append(items.count)
            return items.map { $0 * 10 }
        }
        XCTAssertEqual(outputs, [10, 20, 30])
        XCTAssertEqual(sizes, [3])
        XCTAssertEqual(try batcher.run([]) { _ in XCTFail("nothing to run"); return [] }, [])
    }

    func testRequestsArrivingDuringARunShareTheNextOne() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 5)
        let sizes = Mutex<[Int]>([])
        let firstRunStarted = DispatchSemaphore(value: 0)
        let releaseFirstRun = DispatchSemaphore(value: 0)
        let process: ([Int]) throws -> [Int] = { items in
            let first = sizes.withLock { $0.isEmpty }
            sizes.withLock { $0.append(items.count) }
            if first {
                firstRunStarted.signal()
                releaseFirstRun.wait()
            }
            return items.map { $0 + 1000 }
        }
        let group = DispatchGroup()
        let results = Mutex<[Int: [Int]]>([:])
        DispatchQueue.global().async(group: group) {
            let out = try? batcher.run([0], process: process)
            results.withLock { $0[0] = out }
        }
        firstRunStarted.wait()
        for caller in 1...6 {  // 6 callers × 2 items queue behind the first run
            DispatchQueue.global().async(group: group) {
                let out = try? batcher.run([caller * 10, caller * 10 + 1], process: process)
                results.withLock { $0[caller] = out }
            }
        }
        let deadline = Date().addingTimeInterval(20)  // all six queue behind the held first run
        while batcher.waitingItems < 12, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(batcher.waitingItems, 12)
        releaseFirstRun.signal()
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(results.withLock { $0[0] }, [1000])
        for caller in 1...6 {
            XCTAssertEqual(results.withLock { $0[caller] }, [caller * 10 + 1000, caller * 10 + 1001],
                           "caller \(caller)")
        }
        let runs = sizes.withLock { $0 }
        XCTAssertEqual(runs.first, 1)
        XCTAssertEqual(runs.dropFirst().reduce(0, +), 12)
        XCTAssertTrue(runs.dropFirst().allSatisfy { $0 <= 5 }, "at most maxItems per run: \(runs)")
        XCTAssertEqual(runs.count, 4, "12 queued items in runs of 5, 5, 2: \(runs)")
    }

    func testAFailingRunFailsOnlyItsCallers() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 4)
        struct Broken: Error {}
        XCTAssertThrowsError(try batcher.run([1, 2]) { _ in throw Broken() }) { XCTAssertTrue($0 is Broken) }
        XCTAssertThrowsError(try batcher.run([1, 2]) { _ in [1] }, "one output for two items is an error")
        XCTAssertEqual(try batcher.run([7]) { $0.map { $0 * 2 } }, [14], "the batcher works after failures")
    }

    func testManyConcurrentCallersEachGetTheirOwnOutputs() throws {
        let batcher = RequestBatcher<Int, Int>(maxItems: 7)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { caller in
            let items = (0..<(caller % 5 + 1)).map { caller * 100 + $0 }
            let out = try? batcher.run(items) { batch in
                Thread.sleep(forTimeInterval: 0.001)
                return batch.map { -$0 }
            }
            if out != items.map({ -$0 }) { failures.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }
}
