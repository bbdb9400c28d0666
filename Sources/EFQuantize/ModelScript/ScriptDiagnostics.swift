// Errors of the model-script reader: every message names the script file, the line and (where
// known) the column, and an unknown name comes with the nearest valid one by edit distance.

import EFCore

/// Where something is in a model script: 1-based line and column (columns count Unicode scalars).
public struct ScriptLocation: Equatable, Hashable, Sendable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// Makes the errors of one script, all `EdgeflowError(.invalidInput)` prefixed `file:line:column:`.
struct ScriptDiagnostics {
    let fileName: String

    func error(at location: ScriptLocation, _ message: String, hint: String? = nil) -> EdgeflowError {
        EdgeflowError(.invalidInput, "\(fileName):\(location.line):\(location.column): \(message)", hint: hint)
    }

    func error(line: Int, _ message: String, hint: String? = nil) -> EdgeflowError {
        EdgeflowError(.invalidInput, "\(fileName):\(line): \(message)", hint: hint)
    }

    /// "unknown WHAT 'name'" with the nearest candidate as the hint.
    func unknown(_ what: String, _ name: String, at location: ScriptLocation, candidates: [String],
                 context: String = "") -> EdgeflowError {
        error(at: location, "unknown \(what) '\(ScriptText.clipped(name))'\(context)",
              hint: NearestName.hint(for: name, in: candidates))
    }
}

/// Nearest names by Levenshtein distance, for "did you mean" hints.
enum NearestName {
    /// Names longer than this are compared by their first `maxCompared` characters, so a hostile
    /// megabyte-long identifier costs no more than a short one.
    static let maxCompared = 128

    /// The candidate closest to `name` (ties: the first in `candidates`), or nil when there is none.
    /// With `freePrefix` / `freeSuffix`, characters a candidate has before / after the best
    /// match cost nothing (for globs such as `*norm*`).
    static func nearest(to name: String, in candidates: [String], freePrefix: Bool = false,
                        freeSuffix: Bool = false) -> String? {
        let target = Array(name.unicodeScalars.prefix(maxCompared))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = self.distance(target, Array(candidate.unicodeScalars.prefix(maxCompared)),
                                         freePrefix: freePrefix, freeSuffix: freeSuffix)
            if best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
        }
        return best?.name
    }

    /// "did you mean 'x'?", or nil without candidates.
    static func hint(for name: String, in candidates: [String]) -> String? {
        nearest(to: name, in: candidates).map { "did you mean '\(ScriptText.clipped($0))'?" }
    }

    /// Levenshtein distance (insertions, deletions, substitutions each cost 1); `freePrefix` and
    /// `freeSuffix` make characters of `b` before and after the match free.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], freePrefix: Bool = false,
                         freeSuffix: Bool = false) -> Int {
        if a.isEmpty { return freePrefix || freeSuffix ? 0 : b.count }
        if b.isEmpty { return a.count }
        var previous = freePrefix ? [Int](repeating: 0, count: b.count + 1) : Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return freeSuffix ? previous.min() ?? previous[b.count] : previous[b.count]
    }
}

/// Text helpers for messages.
enum ScriptText {
    /// `text` shortened to at most 80 characters for a message.
    static func clipped(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "..."
    }
}
