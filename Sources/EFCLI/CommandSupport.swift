// What every verb shares: turning errors into `error:` / `hint:` lines on stderr and an exit
// code, printing JSON, and formatting numbers for people.

import ArgumentParser
import EFCore
import Foundation

enum CommandSupport {
    /// Runs a verb's body; an `EdgeflowError` is printed to stderr as `error: <message>` and
    /// `  hint: <hint>` and becomes its exit code (see ExitCodes.swift). ArgumentParser's own
    /// errors pass through unchanged; any other error is an internal error (70).
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as EdgeflowError {
            report(error)
            throw ExitCode(EdgeflowExitCode.code(for: error.kind))
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            report(EdgeflowError(.internalError, "\(error)", hint: "this is a bug in Edgeflow; please report it"))
            throw ExitCode(EdgeflowExitCode.internalError)
        }
    }

    static func report(_ error: EdgeflowError) {
        var text = "error: \(error.message)\n"
        if let hint = error.hint { text += "  hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints `value` as pretty JSON with sorted keys on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// A byte count for people: `4,000 bytes`, `1.2 MB`.
    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<10_000: return "\(grouped(count)) bytes"
        case ..<10_000_000: return String(format: "%.1f kB", Double(count) / 1e3)
        case ..<10_000_000_000: return String(format: "%.1f MB", Double(count) / 1e6)
        default: return String(format: "%.1f GB", Double(count) / 1e9)
        }
    }

    /// A URL for a path given on the command line, relative to the working directory.
    static func url(_ path: String) -> URL {
        URL(fileURLWithPath: path).standardizedFileURL
    }

    /// The path to show for a file the user named: as given when relative, else absolute.
    static func display(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}
