// The exit codes of every `edgeflow` verb, in one place (README copies this table).
//
//   0   success
//   64  usage error: a malformed command line (ArgumentParser's validation, bad NAME=... syntax)
//   65  invalid data: the model, archive or input data is invalid or does not fit the model
//       (EdgeflowError kinds invalidModel, invalidInput, invalidArchive)
//   69  unsupported: valid, but uses something Edgeflow does not support yet (an op, a zip
//       feature, a dtype)
//   70  internal error: a bug in Edgeflow (please report it)
//   74  I/O error: a file could not be read or written
//
// The values follow BSD sysexits.h (EX_USAGE, EX_DATAERR, EX_UNAVAILABLE, EX_SOFTWARE, EX_IOERR).

import EFCore

/// Exit codes of the `edgeflow` command.
public enum EdgeflowExitCode {
    public static let success: Int32 = 0
    public static let usage: Int32 = 64
    public static let invalidData: Int32 = 65
    public static let unsupported: Int32 = 69
    public static let internalError: Int32 = 70
    public static let io: Int32 = 74

    /// The exit code for an error of the given kind.
    public static func code(for kind: EdgeflowError.Kind) -> Int32 {
        switch kind {
        case .invalidArgument: return usage
        case .invalidModel, .invalidInput, .invalidArchive: return invalidData
        case .unsupported: return unsupported
        case .io: return io
        case .internalError: return internalError
        }
    }
}
