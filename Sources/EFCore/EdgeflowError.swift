// The one error type every Edgeflow module throws: a kind (which maps to an exit code),
// a message saying what is wrong and where, and an optional hint saying what to do.

/// An error with a message meant for the person running Edgeflow.
public struct EdgeflowError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The model file is not a valid model (corrupt protobuf, cycle, dangling value...).
        case invalidModel
        /// The model is valid but uses something Edgeflow does not support.
        case unsupported
        /// Data given to a model (inputs, npy files) does not match what it expects.
        case invalidInput
        /// A command-line argument is malformed.
        case invalidArgument
        /// An archive or executable file is damaged or from an incompatible version.
        case invalidArchive
        /// Reading or writing a file failed.
        case io
        /// A broken invariant inside Edgeflow: a bug.
        case internalError
    }

    public var kind: Kind
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String {
        guard let hint else { return message }
        return "\(message)\n  hint: \(hint)"
    }

    /// The same error with a context prefix, e.g. the file or node it concerns.
    public func prefixed(_ context: String) -> EdgeflowError {
        EdgeflowError(kind, "\(context): \(message)", hint: hint)
    }
}
