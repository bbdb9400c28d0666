// The OpenMP-backed parallel loop covers every index exactly once, with any thread count.

import EFKernels
import XCTest

final class ParallelTests: XCTestCase {
    func testChunksCoverEveryIndexOnce() {
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        for threads in [1, 2, 3] {
            Parallel.setThreadCount(threads)
            for count in [0, 1, 2, 7, 1000] {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
                hits.initialize(repeating: 0, count: max(count, 1))
                defer { hits.deallocate() }
                Parallel.forEachChunk(count) { range in for i in range { hits[i] += 1 } }
                XCTAssertEqual((0..<count).filter { hits[$0] != 1 }, [], "threads \(threads), count \(count)")
            }
        }
    }
}
