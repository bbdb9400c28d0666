// What each preparing thread does before its first photo: it makes its own `prepare` on its own
// thread, with one OpenMP thread (so a text reader it builds starts no thread pool beside the
// model's), and a preparer that cannot be made stops the run with its error.

import EFKernels
import EFSearch
import Foundation
import XCTest

final class PreparationQueueWorkerTests: XCTestCase {
    private final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var threads: [ObjectIdentifier] = []
        var openMPThreads: [Int] = []
    }

    private struct Refused: Error, Equatable {}

    func testEachWorkerMakesItsPreparerOnItsOwnThreadWithOneOpenMPThread() throws {
        for schedule in PreparationSchedule.allCases {
            let seen = Seen()
            let items = (0..<20).map { $0 }
            nonisolated(unsafe) var handedOut = false
            let queue = PreparationQueue<Int, Int>(workers: 3, schedule: schedule, source: {
                defer { handedOut = true }
                return handedOut ? [] : items
            }, makePreparer: {
                seen.lock.withLock {
                    seen.threads.append(ObjectIdentifier(Thread.current))
                    seen.openMPThreads.append(Parallel.threadCount)
                }
                return { $0 + 100 }
            })
            defer { queue.stop() }
            var taken: [Int] = []
            while let next = try queue.take(taken.count) { taken.append(next.prepared) }
            XCTAssertEqual(taken, items.map { $0 + 100 }, "\(schedule)")
            queue.stop()
            XCTAssertEqual(seen.threads.count, 3, "one preparer per worker (\(schedule))")
            XCTAssertEqual(Set(seen.threads).count, 3, "each made on its worker's thread (\(schedule))")
            XCTAssertFalse(seen.threads.contains(ObjectIdentifier(Thread.current)), "\(schedule)")
            XCTAssertEqual(seen.openMPThreads, [1, 1, 1], "\(schedule)")
        }
    }

    func testAPreparerThatCannotBeMadeStopsTheRunWithItsError() {
        for schedule in PreparationSchedule.allCases {
            let queue = PreparationQueue<Int, Int>(workers: 2, schedule: schedule, source: { [1, 2, 3] },
                                                   makePreparer: { throw Refused() })
            defer { queue.stop() }
            XCTAssertThrowsError(try queue.take(0), "\(schedule)") { error in
                XCTAssertEqual(error as? Refused, Refused())
            }
        }
    }
}
