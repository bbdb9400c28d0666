// Greedy CTC decoding as PP-OCR does it: argmax per time step, collapse repeats, drop blank;
// a line's score is the mean of the kept steps' probabilities (RapidOCR's text score).

import EFCore

/// Decodes a CTC text recognizer's per-step class probabilities into strings.
public struct CTCDecoder: Sendable {
    /// Class index → character: "blank" at 0, the dictionary lines, then " ".
    public let classes: [String]

    /// `dictionary` is the newline-separated character list (PP-OCR keeps it in the model's
    /// metadata under `character`).
    public init(dictionary: String) {
        classes = ["blank"] + dictionary.components(separatedBy: "\n") + [" "]
    }

    /// Decodes float32 [N, T, C] probabilities (or logits: only the argmax matters for the
    /// text) into N lines with their scores (0 for an empty line).
    /// - Throws: `EdgeflowError.invalidInput` for another dtype, rank, or a class count that
    ///   is not the dictionary's plus two.
    public func decodeWithScores(_ probabilities: Tensor) throws -> [(text: String, score: Float)] {
        guard probabilities.rank == 3, probabilities.dtype == .float32, probabilities.shape[2] == classes.count else {
            throw EdgeflowError(.invalidInput, "expected float32 [N, T, \(classes.count)] recognizer output, got "
                                    + "\(probabilities.dtype.rawValue)\(probabilities.shape.shapeDescription)")
        }
        let (batch, steps, width) = (probabilities.shape[0], probabilities.shape[1], probabilities.shape[2])
        return probabilities.withUnsafeBufferPointer(as: Float.self) { values in
            (0..<batch).map { row in
                var text = ""
                var previous = -1
                var sum: Float = 0, kept = 0
                for step in 0..<steps {
                    let base = (row * steps + step) * width
                    var best = 0
                    for c in 1..<width where values[base + c] > values[base + best] { best = c }
                    if best != 0 && best != previous {
                        text += classes[best]
                        sum += values[base + best]
                        kept += 1
                    }
                    previous = best
                }
                return (text, kept == 0 ? 0 : sum / Float(kept))
            }
        }
    }

    /// The N lines of `probabilities` without scores (see `decodeWithScores`).
    public func decode(_ probabilities: Tensor) throws -> [String] {
        try decodeWithScores(probabilities).map(\.text)
    }
}
