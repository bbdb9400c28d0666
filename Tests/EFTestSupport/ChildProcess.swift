// Runs a program (this test bundle, or a tool built beside it) in a child process with extra
// environment variables: the way to test settings a process reads once (ONEDNN_MAX_CPU_ISA,
// EDGEFLOW_SIMD).

import Foundation

public enum ChildProcess {
    /// Runs `executable` with `arguments` and this process's environment plus `environment`.
    /// - Returns: the exit status and the standard output and error, interleaved.
    /// - Throws: when the program cannot be started.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) throws
        -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
