// Greedy CTC decoding as PP-OCR does it: argmax per time step, collapse repeats, drop blank.

import EFCore

struct CTCGreedyDecoder {
    /// Class index → character: "blank" at 0, the dictionary lines, then " ".
    let classes: [String]

    /// `dictionary` is the newline-separated character list from the model's metadata.
    init(dictionary: String) {
        classes = ["blank"] + dictionary.components(separatedBy: "\n") + [" "]
    }

    /// Decodes logits [N, T, C] (float32) into N strings.
    func decode(_ logits: Tensor) throws -> [String] {
        guard logits.rank == 3, logits.dtype == .float32, logits.shape[2] == classes.count else {
            throw EdgeflowError(.invalidInput,
                "expected float32 [N, T, \(classes.count)] logits, got \(logits.dtype.rawValue)\(logits.shape.shapeDescription)")
        }
        let (batch, steps, width) = (logits.shape[0], logits.shape[1], logits.shape[2])
        return logits.withUnsafeBufferPointer(as: Float.self) { values in
            (0..<batch).map { row in
                var text = ""
                var previous = -1
                for step in 0..<steps {
                    let base = (row * steps + step) * width
                    var best = 0
                    for c in 1..<width where values[base + c] > values[base + best] { best = c }
                    if best != 0 && best != previous { text += classes[best] }
                    previous = best
                }
                return text
            }
        }
    }
}
