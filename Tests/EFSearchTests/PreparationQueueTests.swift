// The indexer's preparation queue fed by a source that hands out batches (as a PostgreSQL library
// hands out claimed photos): items come back in order and prepared; the workers ask for the next
// batch before the consumer has taken the last one (no draining between batches), never more than
// the window ahead; a source's failure reaches the consumer after the items it gave before.

import EFSearch
import Foundation
import XCTest

final class PreparationQueueTests: XCTestCase {
    /// Batches of 3 numbers (0…14), then none.
    private final class Batches: @unchecked Sendable {
        private let lock = NSLock()
        private var given = 0
        let total: Int
        init(total: Int = 15) { self.total = total }
        func next() -> [Int] {
            lock.withLock {
                let batch = Array(given ..< min(given + 3, total))
                given += batch.count
                return batch
            }
        }
    }

    func testTheNextBatchIsAskedForBeforeTheLastIsTaken() throws {
        let batches = Batches()
        let queue = PreparationQueue<Int, Int>(workers: 1, schedule: .overlapped, source: batches.next) { $0 * 10 }
        defer { queue.stop() }
        let deadline = Date().addingTimeInterval(10)
        while queue.sourceCalls < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertGreaterThanOrEqual(queue.sourceCalls, 2, "the second batch is fetched while the first waits")
        var taken: [Int] = []
        while let next = try queue.take(taken.count) {
            XCTAssertEqual(next.prepared, next.item * 10)
            taken.append(next.item)
        }
        XCTAssertEqual(taken, Array(0..<15))
        XCTAssertEqual(queue.sourceCalls, 6, "five batches and the empty answer")
    }

    func testAlternatingTurnsSpanBatches() throws {
        for workers in [1, 3] {
            let queue = PreparationQueue<Int, Int>(workers: workers, schedule: .alternating,
                                                   source: Batches(total: 200).next) { $0 + 1 }
            var taken: [Int] = []
            while let next = try queue.take(taken.count) { taken.append(next.prepared) }
            queue.stop()
            XCTAssertEqual(taken, Array(1...200), "\(workers) workers")
        }
    }

    func testTheWorkersStayWithinTheWindow() {
        let endless: () -> [Int] = { [0, 0, 0] }
        let queue = PreparationQueue<Int, Int>(workers: 2, schedule: .overlapped, source: endless) { $0 }
        defer { queue.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        // 2 workers may run 16 items ahead: 6 batches of 3 (the sixth partly), no more.
        XCTAssertLessThanOrEqual(queue.sourceCalls, 6)
        XCTAssertGreaterThanOrEqual(queue.sourceCalls, 1)
    }

    func testASourceFailureComesAfterTheItemsBeforeIt() throws {
        struct Unreachable: Error {}
        var first = true  // the source is called by one worker at a time
        let source: () throws -> [Int] = {
            if first {
                first = false
                return [7, 8]
            }
            throw Unreachable()
        }
        let queue = PreparationQueue<Int, Int>(workers: 1, schedule: .overlapped, source: source) { $0 }
        defer { queue.stop() }
        XCTAssertEqual(try queue.take(0)?.item, 7)
        XCTAssertEqual(try queue.take(1)?.item, 8)
        XCTAssertThrowsError(try queue.take(2)) { XCTAssertTrue($0 is Unreachable) }
    }
}
