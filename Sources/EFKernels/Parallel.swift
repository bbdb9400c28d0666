// Splitting a loop over threads. Edgeflow's own kernels use libgomp's OpenMP thread pool, the
// same pool oneDNN runs on, so a process has one set of worker threads and one thread-count
// knob (`Parallel.setThreadCount`, i.e. OMP_NUM_THREADS) for both.

import COpenMP

/// The thread policy shared by our kernels and oneDNN.
public enum Parallel {
    /// Threads a parallel loop started from the calling thread uses.
    public static var threadCount: Int { Int(omp_get_max_threads()) }

    /// Sets the threads of later parallel loops and oneDNN primitives started from the calling
    /// thread (OpenMP's per-thread `nthreads` setting). `count` is clamped to ≥ 1.
    public static func setThreadCount(_ count: Int) { omp_set_num_threads(Int32(max(1, count))) }

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
