// A progress indicator for long verbs on stderr: on a terminal one line redrawn in place
// (count, percent, rate, ETA); otherwise a plain line at every tenth of the work, so logs stay
// short. It goes to stderr, so scripts reading stdout (--json) never see it.

import Foundation

final class ProgressLine {
    private let label: String
    private let unit: String
    private let start = Date()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastDecile = -1

    init(_ label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    /// Reports `done` of `total`.
    func update(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let text = String(format: "%@: %d/%d %@ (%3d%%), %.1f %@/s, ETA %.0f s", label, done, total, unit,
                          done * 100 / total, rate, unit, remaining)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (done == total ? "\n" : "")).utf8))
            return
        }
        let decile = done * 10 / total
        guard decile != lastDecile else { return }
        lastDecile = decile
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
