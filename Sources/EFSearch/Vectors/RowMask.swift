// A set of table rows as a bitset: the rows a filter (a date range, an album, a camera) lets
// through, handed to the vector scan so it skips the others.

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
