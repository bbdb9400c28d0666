// Splitting a loop over threads. Edgeflow's own kernels use libgomp's OpenMP thread pool, the
// same pool oneDNN runs on, so a process has one set of worker threads and one thread-count
// knob (`Parallel.setThreadCount`, i.e. OMP_NUM_THREADS) for both.

import COpenMP
import Foundation

/// The thread policy shared by our kernels and oneDNN.
public enum Parallel {
    /// The most threads the pool is ever asked for: 4 × the cores available, at least 8, at most
    /// `maxRequestedThreads`. Larger requests (and a larger OMP_NUM_THREADS) are clamped to it.
    public static let maxThreadCount = min(maxRequestedThreads,
                                           max(8, 4 * ProcessInfo.processInfo.activeProcessorCount))

    /// The largest thread count a user may request (`--threads`); requests above
    /// `maxThreadCount` run with `maxThreadCount`.
    public static let maxRequestedThreads = 1024

    /// Threads a parallel loop started from the calling thread uses (at most `maxThreadCount`).
    public static var threadCount: Int {
        limitToMachine()
        return min(Int(omp_get_max_threads()), maxThreadCount)
    }

    /// Sets the threads of later parallel loops and oneDNN primitives started from the calling
    /// thread (OpenMP's per-thread `nthreads` setting). `count` is clamped to 1...`maxThreadCount`.
    public static func setThreadCount(_ count: Int) { omp_set_num_threads(Int32(min(max(1, count), maxThreadCount))) }

    /// Clamps the calling thread's OpenMP thread count (libgomp reads OMP_NUM_THREADS when it
    /// loads) to `maxThreadCount`, so an environment asking for a million threads cannot make
    /// the pool (or oneDNN) try to start them. Call it before oneDNN runs on a thread; `threadCount`
    /// and `forEachChunk` call it themselves.
    public static func limitToMachine() {
        if Int(omp_get_max_threads()) > maxThreadCount { omp_set_num_threads(Int32(maxThreadCount)) }
    }

    /// Runs `body(range)` over contiguous chunks that together cover `0..<count`, on up to
    /// `threadCount` threads, each chunk at least `grain` items. Returns when all have run.
    /// Runs inline (no threads) when one chunk suffices or when already inside a parallel loop.
    public static func forEachChunk(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let threads = min(threadCount, max(1, count / max(1, grain)))
        if threads <= 1 || omp_in_parallel() != 0 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            var job = ChunkJob(count: count, body: escapable)
            withUnsafeMutablePointer(to: &job) { pointer in
                GOMP_parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: ChunkJob.self).pointee
                    let thread = Int(omp_get_thread_num()), threads = Int(omp_get_num_threads())
                    let start = job.count * thread / threads, end = job.count * (thread + 1) / threads
                    if start < end { job.body(start..<end) }
                }, pointer, UInt32(threads), 0)
            }
        }
    }
}

private struct ChunkJob {
    let count: Int
    let body: (Range<Int>) -> Void
}
