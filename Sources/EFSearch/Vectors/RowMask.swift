// A set of table rows as a bitset: the rows a filter (a date range, an album, a camera) lets
// through, or the rows of photos still in the library, handed to the vector scan so it skips the
// others.

/// A set of row indices in `0..<count`, one bit per row.
public struct RowMask: Sendable, Equatable {
    /// Rows the mask covers: `0..<count`. Rows at or past `count` are never contained.
    public let count: Int
    private var words: [UInt64]

    /// A mask of `count` rows, none of them contained.
    /// - Precondition: `count >= 0`.
    public init(count: Int) {
        precondition(count >= 0, "a row mask needs a non-negative count, got \(count)")
        self.count = count
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// A mask of `count` rows holding `rows` (each in `0..<count`).
    public init<S: Sequence>(count: Int, rows: S) where S.Element == Int {
        self.init(count: count)
        for row in rows { insert(row) }
    }

    /// A mask of `count` rows holding all of them.
    /// - Precondition: `count >= 0`.
    public static func all(count: Int) -> RowMask {
        var mask = RowMask(count: count)
        for w in mask.words.indices { mask.words[w] = ~0 }
        if count % 64 != 0, !mask.words.isEmpty { mask.words[mask.words.count - 1] = (1 << UInt64(count % 64)) - 1 }
        return mask
    }

    /// The rows both masks hold.
    /// - Precondition: both cover the same `count`.
    public func intersection(_ other: RowMask) -> RowMask {
        precondition(count == other.count, "masks of \(count) and \(other.count) rows")
        var result = self
        for w in words.indices { result.words[w] &= other.words[w] }
        return result
    }

    /// This mask over `newCount` rows (at least `count`): rows past `count` are held when
    /// `holdingNew`.
    /// - Precondition: `newCount >= count`.
    public func extended(to newCount: Int, holdingNew: Bool) -> RowMask {
        precondition(newCount >= count, "a mask of \(count) rows cannot shrink to \(newCount)")
        var result = RowMask(count: newCount)
        for w in words.indices { result.words[w] = words[w] }
        if holdingNew { for row in count..<newCount { result.insert(row) } }
        return result
    }

    /// Adds `row`.
    /// - Precondition: `0 <= row < count`.
    public mutating func insert(_ row: Int) {
        precondition(row >= 0 && row < count, "row \(row) outside the mask's 0..<\(count)")
        words[row >> 6] |= 1 << UInt64(row & 63)
    }

    /// Removes `row` (nothing happens for a row outside `0..<count`).
    public mutating func remove(_ row: Int) {
        guard row >= 0 && row < count else { return }
        words[row >> 6] &= ~(1 << UInt64(row & 63))
    }

    /// Whether `row` is in the mask; false for any row outside `0..<count`.
    public func contains(_ row: Int) -> Bool {
        guard row >= 0 && row < count else { return false }
        return words[row >> 6] & (1 << UInt64(row & 63)) != 0
    }

    /// How many rows the mask holds.
    public var rowCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Calls `body` with the 64-row words: bit `b` of word `w` is row `64 * w + b`.
    func withWords<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeBufferPointer(body)
    }
}
