// What `models pull` says while it works: on stderr, the progress of each file (bytes, MB/s;
// one line redrawn on a terminal, a plain line at each tenth otherwise); with --json, one JSON
// object per line on stdout for each file started, resumed, retried, fetched or kept.

import EFCore
import EFModelHub
import Foundation

final class PullReporter {
    private let json: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var fileStart = Date()
    private var startBytes = 0
    private var lastDecile = -1
    /// Bytes that came over the network in this run.
    private(set) var downloaded = 0

    init(json: Bool) {
        self.json = json
    }

    /// Handles one event of `ModelPull.run`.
    func handle(_ event: PullEvent) {
        switch event {
        case let .started(path, size, resumingAt):
            (fileStart, startBytes, lastDecile) = (Date(), resumingAt, -1)
            let resume = resumingAt > 0 ? ", resuming at \(CommandSupport.bytes(resumingAt))" : ""
            say("\(path): \(CommandSupport.bytes(size))\(resume)")
            emit(["event": "started", "path": path, "size": size, "resumingAt": resumingAt])
        case let .progress(path, bytes, size):
            progress(path, bytes, size)
        case let .retrying(path, bytes, reason):
            say("\(path): interrupted at \(CommandSupport.bytes(bytes)) (\(reason)); continuing")
            emit(["event": "retrying", "path": path, "bytes": bytes, "reason": reason])
        case let .fetched(path, size, downloaded):
            self.downloaded += downloaded
            say("\(path): checked")
            emit(["event": "fetched", "path": path, "size": size, "downloaded": downloaded])
        case let .kept(path, size):
            say("\(path): already here, checked")
            emit(["event": "kept", "path": path, "size": size])
        }
    }

    /// Prints one JSON object line on stdout (with --json).
    func emit(_ object: [String: Any]) {
        guard json, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return
        }
        print(String(decoding: data, as: UTF8.self))
        fflush(stdout)
    }

    /// Prints a line on stderr.
    func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func progress(_ path: String, _ bytes: Int, _ size: Int) {
        guard size > 0 else { return }
        let elapsed = Date().timeIntervalSince(fileStart)
        let rate = elapsed > 0 ? Double(bytes - startBytes) / elapsed / 1e6 : 0
        let text = String(format: "%@: %@ of %@ (%3d%%), %.1f MB/s", path, CommandSupport.bytes(bytes),
                          CommandSupport.bytes(size), Int(Double(bytes) * 100 / Double(size)), rate)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (bytes == size ? "\n" : "")).utf8))
            return
        }
        let decile = Int(Double(bytes) * 10 / Double(size))
        guard decile != lastDecile else { return }
        lastDecile = decile
        say(text)
    }
}
