// What a fuzz target is: a name, what it reads, and a function that feeds one input to one of
// Edgeflow's readers. The same targets run under libFuzzer (Fuzz/, scripts/fuzz.sh) and in the
// test suite, which replays the committed seeds and every crashing input ever found.

import EFCore
import Foundation

/// One reader under fuzzing.
public struct FuzzTarget: Sendable {
    /// The name scripts and seed folders use, e.g. `npy` or `decode-png`.
    public let name: String
    /// What the input bytes are and what the target calls.
    public let summary: String
    /// Reads one input. May throw any `EdgeflowError` except `.internalError`: bad data must be
    /// reported as bad data. Anything else (a trap, another error type) is a finding.
    public let run: @Sendable (Data) throws -> Void

    public init(name: String, summary: String, run: @escaping @Sendable (Data) throws -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }

    /// Runs one input and says what went wrong, or nil when the reader behaved: it accepted the
    /// input or refused it with an `EdgeflowError` of a kind other than `.internalError`.
    public func findingFor(_ input: Data) -> String? {
        do {
            try run(input)
            return nil
        } catch let error as EdgeflowError where error.kind != .internalError {
            return nil
        } catch let error as EdgeflowError {
            return "internal error on bad data: \(error.message)"
        } catch {
            return "a \(type(of: error)) escaped instead of an EdgeflowError: \(error)"
        }
    }
}

/// Limits the fuzz targets pass to the readers, smaller than the defaults so that one input
/// runs in milliseconds; the defaults themselves are tested by the unit tests.
enum FuzzLimits {
    /// Decoders refuse images above this many pixels (default limit: 178,956,970).
    static let maxPixels = 4_000_000
}
