// The committed expectations: Tests/ConformanceTests/manifest.tsv, one line per case:
// `suite/case<TAB>skip<TAB>reason` when the reference interpreter cannot run it, else
// `suite/case<TAB>pass<TAB>efx-pass` or `suite/case<TAB>pass<TAB>efx-skip<TAB>reason`: the
// second column is the case compiled, written as an .efx, loaded and run by EdgeflowRuntime.
// Lines starting with # are comments.
// A reason may carry a human note `(known: ...)`, which regenerating keeps while the outcome
// stays the same.

import Foundation

struct Manifest {
    var outcomes: [String: CaseOutcome] = [:]
    /// The executable column, for cases the reference passes.
    var executable: [String: CaseOutcome] = [:]

    static func header(onnxVersion: String) -> String {
        """
        # ONNX backend suite outcomes (onnx \(onnxVersion)), checked by ConformanceTests.
        # Regenerate after changing importers or kernels: EDGEFLOW_UPDATE_MANIFEST=1 swift test -c release --filter ConformanceTests
        """
    }

    /// Parses manifest text.
    /// - Throws: a description of the first malformed line.
    init(text: String) throws {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch (fields.count, fields.count > 1 ? fields[1] : "") {
            case (2, "pass"): outcomes[fields[0]] = .pass  // written before the efx column: regenerate
            case (3, "pass") where fields[2] == "efx-pass":
                outcomes[fields[0]] = .pass
                executable[fields[0]] = .pass
            case (4, "pass") where fields[2] == "efx-skip":
                outcomes[fields[0]] = .pass
                executable[fields[0]] = .skip(fields[3])
            case (3, "skip"): outcomes[fields[0]] = .skip(fields[2])
            default: throw ManifestError(line: number + 1, text: String(line))
            }
        }
    }

    init(outcomes: [String: CaseOutcome], executable: [String: CaseOutcome]) {
        self.outcomes = outcomes
        self.executable = executable
    }

    struct ManifestError: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var description: String { "manifest line \(line) is not `case<TAB>pass<TAB>efx-pass`, `case<TAB>pass<TAB>efx-skip<TAB>reason` "
            + "or `case<TAB>skip<TAB>reason`: \(text)" }
    }

    /// The manifest text, cases sorted.
    func text(onnxVersion: String) -> String {
        let lines = outcomes.keys.sorted().map { id -> String in
            let outcome = outcomes[id] ?? .pass
            guard outcome.status == .pass else { return "\(id)\tskip\t\(outcome.reason)" }
            let efx = executable[id] ?? .skip("not run")
            return efx.status == .pass ? "\(id)\tpass\tefx-pass" : "\(id)\tpass\tefx-skip\t\(efx.reason)"
        }
        return ([Manifest.header(onnxVersion: onnxVersion)] + lines).joined(separator: "\n") + "\n"
    }

    /// New outcomes, keeping an old entry's `(known: ...)` note when its outcome key is unchanged.
    func updated(with current: [String: CaseOutcome], executable currentExecutable: [String: CaseOutcome]) -> Manifest {
        func merged(_ now: [String: CaseOutcome], _ before: [String: CaseOutcome]) -> [String: CaseOutcome] {
            var result: [String: CaseOutcome] = [:]
            for (id, outcome) in now {
                var entry = outcome
                if let old = before[id], old.key == outcome.key, let note = old.reason.range(of: " (known:") {
                    entry.reason = outcome.reason + old.reason[note.lowerBound...]
                }
                result[id] = entry
            }
            return result
        }
        return Manifest(outcomes: merged(current, outcomes), executable: merged(currentExecutable, executable))
    }
}
