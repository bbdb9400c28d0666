// Runs headless Chromium (Debian package `chromium`, installed by scripts/setup.sh) as a child
// process for the render tests of the HTML profile report (EFProfilerTests, EFCLITests): a
// screenshot or the DOM after the page's scripts ran.

import Foundation
import XCTest

public enum Chromium {
    /// The chromium executable on PATH (or /usr/bin), or nil.
    public static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin"]
        for dir in dirs {
            for name in ["chromium", "chromium-browser"] {
                let file = URL(fileURLWithPath: dir).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: file.path) { return file }
            }
        }
        return nil
    }

    /// The executable, or a test failure saying how to get it (never a silent skip).
    public static func required(file: StaticString = #filePath, line: UInt = #line) -> URL? {
        guard let url = executable() else {
            XCTFail("chromium is not installed, so the HTML report cannot be rendered: run scripts/setup.sh "
                        + "(it installs the Debian package chromium)", file: file, line: line)
            return nil
        }
        return url
    }

    /// Runs chromium headless with `arguments` after the common flags and a private profile
    /// directory under `workDirectory`; returns stdout. Fails after `timeout` seconds.
    public static func run(_ chromium: URL, _ arguments: [String], workDirectory: URL,
                    timeout: TimeInterval = 120) throws -> String {
        let process = Process()
        process.executableURL = chromium
        let profile = workDirectory.appendingPathComponent("chromium-profile")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-extensions", "--user-data-dir=\(profile.path)"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = workDirectory.path
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = OutputCollector()
        out.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        err.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw ChromiumFailure(message: "chromium did not finish within \(Int(timeout)) s: \(arguments)")
        }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile())
        guard process.terminationStatus == 0 else {
            throw ChromiumFailure(message: "chromium exited with \(process.terminationStatus): \(arguments)")
        }
        return String(decoding: collected.data, as: UTF8.self)
    }

    public struct ChromiumFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Bytes from a readability handler, gathered under a lock.
    final class OutputCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        func append(_ chunk: Data) {
            lock.lock()
            bytes.append(chunk)
            lock.unlock()
        }
        var data: Data {
            lock.lock()
            defer { lock.unlock() }
            return bytes
        }
    }
}
