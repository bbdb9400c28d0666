// Runs the built `edgeflow` binary as a subprocess (it sits next to the test bundle in the
// build products directory) and collects its exit status and output.

import Foundation
import XCTest

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Holds the bytes read on another thread (written once, read after the group is done).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

struct CLIRunnerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum CLIRunner {
    /// The build products directory (.build/debug or .build/release).
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    static var binary: URL { productsDirectory.appendingPathComponent("edgeflow") }

    /// Runs `edgeflow arguments...` (or another built `executable`) in `directory`.
    /// - Parameter environment: variables set for the child beside this process's own.
    static func run(_ arguments: [String], in directory: URL, binary executable: URL = binary,
                    environment: [String: String] = [:]) throws -> CLIResult {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CLIRunnerError(message: "no \(executable.lastPathComponent) binary at \(executable.path) (the test "
                                 + "target depends on it, so the build should have made it)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a large output cannot block the child.
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.data, as: UTF8.self))
    }
}
