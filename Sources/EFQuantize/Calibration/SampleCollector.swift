// The samples of a calibration set as they are taken: the model's inputs checked once, the
// sample limit, and the memory budget every new sample is checked against (with checked
// arithmetic) before it is allocated.

import EFCore
import Foundation

/// Accumulates samples up to a limit and within a byte budget.
struct SampleCollector {
    let inputs: [CalibrationInput]
    let limit: Int
    let budget: MemoryBudget
    /// Bytes of one sample: every input's tensor.
    let sampleBytes: Int
    private(set) var samples: [[String: Tensor]] = []
    var skipped: [CalibrationSet.SkippedFile] = []
    /// Files that gave at least one sample.
    private(set) var filesUsed = 0

    /// - Throws: `EdgeflowError.invalidArgument` for no inputs, a repeated input name, an input
    ///   shape with a negative or overflowing size, or `limit` < 1.
    init(inputs: [CalibrationInput], limit: Int, budgetBytes: Int) throws {
        guard !inputs.isEmpty else {
            throw EdgeflowError(.invalidArgument, "the model has no inputs to calibrate")
        }
        guard Set(inputs.map(\.name)).count == inputs.count else {
            throw EdgeflowError(.invalidArgument, "the model's input names repeat: "
                                + inputs.map { "'\($0.name)'" }.joined(separator: ", "))
        }
        guard limit >= 1 else {
            throw EdgeflowError(.invalidArgument, "the calibration sample limit must be at least 1, got \(limit)")
        }
        var bytes = 0
        for input in inputs {
            try CheckedSize.shape(input.shape, "model input \(input.label)", kind: .invalidArgument)
            let one = try CheckedSize.byteCount(input.shape, input.dtype, "model input \(input.label)",
                                                kind: .invalidArgument)
            bytes = try CheckedSize.add(bytes, one, "one calibration sample", kind: .invalidArgument)
        }
        self.inputs = inputs
        self.limit = limit
        sampleBytes = bytes
        budget = MemoryBudget(limitBytes: budgetBytes, name: "calibration memory",
                              howToChange: "take fewer samples (the limit is \(limit)) or raise the memory "
                                + "budget (--max-memory)")
    }

    var isFull: Bool { samples.count >= limit }

    /// Bytes of the samples taken (each addition was checked against the budget, so no overflow).
    var heldBytes: Int { samples.count * sampleBytes }

    /// The budget one file read may use: what the samples taken leave of it.
    var readBudget: MemoryBudget {
        MemoryBudget(limitBytes: budget.limitBytes - heldBytes, name: "calibration memory left",
                     howToChange: "a file is read whole: split it into smaller files, or raise the memory "
                        + "budget (--max-memory)")
    }

    /// How many of the `available` samples of `file` to take (no more than the limit leaves),
    /// after checking that they fit the budget together with the samples already taken.
    /// - Throws: `EdgeflowError.invalidInput` naming the file when they do not fit.
    func admit(_ available: Int, from file: URL) throws -> Int {
        let take = max(0, min(available, limit - samples.count))
        let added = try CheckedSize.multiply(take, sampleBytes, "\(file.path): \(take) calibration samples")
        let total = try CheckedSize.add(heldBytes, added, "\(file.path): the calibration set")
        let count = samples.count + take
        try budget.check(total, for: "\(file.path): \(count) calibration sample\(count == 1 ? "" : "s") of "
                            + "\(MemoryBudget.format(sampleBytes))\(count == 1 ? "" : " each")")
        return take
    }

    /// Adds one sample (admitted by `admit`).
    mutating func append(_ sample: [String: Tensor]) {
        samples.append(sample)
    }

    /// Counts a file that gave samples.
    mutating func countFile() {
        filesUsed += 1
    }

    /// Records a file that gave no sample.
    mutating func skip(_ url: URL, _ reason: String) {
        skipped.append(CalibrationSet.SkippedFile(file: url.path, reason: reason))
    }
}
