// A set of taken names that hands out fresh ones (`hint`, `hint_1`, `hint_2`, ...) in amortized
// constant time: it remembers the next suffix to try for each hint, so a model with thousands of
// same-named nodes does not make every new name walk past all the earlier ones (a fuzzed TFLite
// file with many like operators took over 10 s to import that way).

/// Taken names, and the next numbered suffix to try for each hint asked for so far.
public struct UniqueNames: Sendable {
    private var taken = Set<String>()
    private var nextSuffix: [String: Int] = [:]
    private let firstSuffix: Int

    /// - Parameter firstSuffix: the number of the first suffixed name (`hint_1` or `hint_2`).
    public init(firstSuffix: Int = 1) { self.firstSuffix = firstSuffix }

    /// Whether `name` is taken.
    public func contains(_ name: String) -> Bool { taken.contains(name) }

    /// Marks `name` taken.
    public mutating func insert(_ name: String) { taken.insert(name) }

    /// Marks every one of `names` taken.
    public mutating func formUnion<Names: Sequence>(_ names: Names) where Names.Element == String {
        taken.formUnion(names)
    }

    /// `hint` if neither taken here nor by `alsoTaken`, else the first free one of `hint_N`,
    /// `hint_N+1`, ... (N = `firstSuffix`); marks it taken. The result is the same as trying every
    /// suffix from N (names are never released, so a suffix found taken once stays taken).
    public mutating func fresh(_ hint: String, alsoTaken: (String) -> Bool = { _ in false }) -> String {
        var candidate = hint
        if taken.contains(candidate) || alsoTaken(candidate) {
            var counter = nextSuffix[hint] ?? firstSuffix
            repeat {
                candidate = "\(hint)_\(counter)"
                counter += 1
            } while taken.contains(candidate) || alsoTaken(candidate)
            nextSuffix[hint] = counter
        }
        taken.insert(candidate)
        return candidate
    }
}
