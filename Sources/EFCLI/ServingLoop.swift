// How the serving verbs (`photos serve`, `serve-ml`) run their async server from a synchronous
// command: start it on a task, wait until it returns (SIGINT or SIGTERM), report a bind failure.

import EFCore
import Foundation

enum ServingLoop {
    /// Runs `serve` until it returns, then prints "stopped" on stderr.
    /// - Throws: `EdgeflowError.io` naming `address` when the server could not run (e.g. the port is taken).
    static func run(address: String, _ serve: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await serve()
            } catch {
                outcome.error = error
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw EdgeflowError(.io, "cannot serve on \(address): \(error)") }
        say("stopped")
    }

    /// One line on stderr.
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The server task's error, handed to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        var error: Error?
    }
}
