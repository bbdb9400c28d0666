// "Did you mean" suggestions for names a user typed (node names, input names).

enum NameSuggestions {
    /// Up to `limit` candidates closest to `name`: those at the smallest case-insensitive edit
    /// distance, if it is at most a third of the name's length (at least 1); otherwise (for names
    /// of 3 or more characters) those containing it or contained in it.
    static func nearest(_ name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let target = Array(name.lowercased())
        let threshold = max(1, target.count / 3)
        var scored: [(distance: Int, name: String)] = []
        for candidate in Set(candidates) {
            let lowered = candidate.lowercased()
            let distance = editDistance(target, Array(lowered), limit: threshold)
            if distance <= threshold {
                scored.append((distance, candidate))
            } else if min(target.count, lowered.count) >= 3
                        && (lowered.contains(name.lowercased()) || name.lowercased().contains(lowered)) {
                scored.append((threshold + 1, candidate))
            }
        }
        guard let best = scored.map(\.distance).min() else { return [] }
        return scored.filter { $0.distance == best }.map(\.name).sorted().prefix(limit).map { $0 }
    }

    /// " (did you mean 'a', 'b'?)" or "" when nothing is close.
    static func didYouMean(_ name: String, in candidates: [String]) -> String {
        let near = nearest(name, in: candidates)
        return near.isEmpty ? "" : " (did you mean " + near.map { "'\($0)'" }.joined(separator: ", ") + "?)"
    }

    /// Levenshtein distance, or any value above `limit` once it is certain to exceed it.
    private static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
