// Keeping the best k scored rows of a scan: a bounded min-heap per chunk of the table (the
// root is the worst row kept, so most rows are rejected by one comparison), the loop that feeds
// it four rows at a time with or without a row mask, and the merge of the chunks' heaps.

import EFKernels

/// The k best (score, row) pairs seen so far; "better" is a higher score, then a lower row.
struct TopKHeap {
    let capacity: Int
    private(set) var scores: [Float] = []
    private(set) var rows: [Int] = []
    /// Scores below this cannot enter (the root's score once the heap is full).
    private(set) var threshold = -Float.infinity

    init(capacity: Int) {
        self.capacity = capacity
        scores.reserveCapacity(capacity)
        rows.reserveCapacity(capacity)
    }

    @inline(__always)
    private func worse(_ i: Int, _ j: Int) -> Bool {
        scores[i] < scores[j] || (scores[i] == scores[j] && rows[i] > rows[j])
    }

    /// Offers `row` with `score`; NaN counts as -infinity.
    @inline(__always)
    mutating func offer(_ score: Float, row: Int) {
        if score < threshold { return }
        consider(score.isNaN ? -.infinity : score, row: row)
    }

    private mutating func consider(_ score: Float, row: Int) {
        guard capacity > 0 else { return }
        if scores.count < capacity {
            scores.append(score)
            rows.append(row)
            var child = scores.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard worse(child, parent) else { break }
                scores.swapAt(child, parent)
                rows.swapAt(child, parent)
                child = parent
            }
        } else {
            guard score > scores[0] || (score == scores[0] && row < rows[0]) else { return }
            scores[0] = score
            rows[0] = row
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var worst = parent
                if left < scores.count && worse(left, worst) { worst = left }
                if right < scores.count && worse(right, worst) { worst = right }
                if worst == parent { break }
                scores.swapAt(worst, parent)
                rows.swapAt(worst, parent)
                parent = worst
            }
        }
        if scores.count == capacity { threshold = scores[0] }
    }

    var entries: [ScoredRow] { zip(rows, scores).map { ScoredRow(row: $0, score: $1) } }
}

/// Scores rows by their index: one row, four at once, or a block of consecutive rows (with
/// the widest SIMD build the CPU runs; the same scores).
protocol RowScorer {
    func score(_ row: Int) -> Float
    func score4(_ r0: Int, _ r1: Int, _ r2: Int, _ r3: Int) -> SIMD4<Float>
    func scoreBlock(_ start: Int, count: Int, into scores: UnsafeMutablePointer<Float>)
}

enum TopKSelection {
    /// Rows of work (elements) below which a scan is not split over threads.
    static let elementsPerPart = 1 << 18

    /// The best `k` rows of `0..<count` (only those in `mask` when given) under `scorer`, sorted
    /// best first, scanned in parallel over `Parallel.threadCount` chunks.
    static func select<S: RowScorer>(_ scorer: S, count: Int, dimension: Int, k: Int, mask: RowMask?) -> [ScoredRow] {
        guard k > 0, count > 0 else { return [] }
        let work = count.multipliedReportingOverflow(by: dimension)
        let wanted = work.overflow ? Int.max : work.partialValue / elementsPerPart
        let parts = max(1, min(Parallel.threadCount, wanted, count / 4))
        var partial = [[ScoredRow]](repeating: [], count: parts)
        partial.withUnsafeMutableBufferPointer { results in
            Parallel.forEachChunk(parts) { range in
                for part in range {
                    let rows = (count * part / parts)..<(count * (part + 1) / parts)
                    var heap = TopKHeap(capacity: k)
                    if let mask {
                        scanMasked(scorer, rows: rows, mask: mask, into: &heap)
                    } else {
                        scan(scorer, rows: rows, into: &heap)
                    }
                    results[part] = heap.entries
                }
            }
        }
        return best(partial.joined(), k: k)
    }

    /// `entries` sorted by score descending then row ascending, the first `k`.
    static func best<C: Collection>(_ entries: C, k: Int) -> [ScoredRow] where C.Element == ScoredRow {
        let sorted = entries.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
        return Array(sorted.prefix(k))
    }

    /// Rows scored per block of the unmasked scan (their scores stay in L1).
    static let blockRows = 256

    @inline(__always)
    private static func scan<S: RowScorer>(_ scorer: S, rows: Range<Int>, into heap: inout TopKHeap) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRows) { scores in
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(blockRows, rows.upperBound - start)
                scorer.scoreBlock(start, count: count, into: scores.baseAddress!)
                for i in 0..<count { heap.offer(scores[i], row: start + i) }
                start += count
            }
        }
    }

    /// As `scan`, over the rows of `rows` that `mask` holds (rows past `mask.count` are skipped).
    @inline(__always)
    private static func scanMasked<S: RowScorer>(_ scorer: S, rows: Range<Int>, mask: RowMask,
                                                 into heap: inout TopKHeap) {
        let end = min(rows.upperBound, mask.count)
        guard rows.lowerBound < end else { return }
        mask.withWords { words in
            var pending = SIMD4<Int>(), filled = 0
            var wordIndex = rows.lowerBound >> 6
            while wordIndex << 6 < end {
                var bits = words[wordIndex]
                let base = wordIndex << 6
                if base < rows.lowerBound { bits &= ~0 << UInt64(rows.lowerBound - base) }
                if end - base < 64 { bits &= (1 << UInt64(end - base)) &- 1 }
                while bits != 0 {
                    pending[filled] = base + bits.trailingZeroBitCount
                    bits &= bits &- 1
                    filled += 1
                    if filled == 4 {
                        let s = scorer.score4(pending[0], pending[1], pending[2], pending[3])
                        for lane in 0..<4 { heap.offer(s[lane], row: pending[lane]) }
                        filled = 0
                    }
                }
                wordIndex += 1
            }
            for lane in 0..<filled { heap.offer(scorer.score(pending[lane]), row: pending[lane]) }
        }
    }
}
