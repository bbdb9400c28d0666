// Calibration samples from numpy files: an `.npy` (one array, single-input model) or an `.npz`
// (one array per model input, keyed by input name), read within the memory the samples taken so
// far leave, each array split along its sample axis by `ArraySamples`.

import EFArchive
import EFCore
import Foundation

/// Reading `.npy` and `.npz` calibration files.
enum ArrayFile {
    /// Adds the samples of the array file at `url` (`kind` `.npy` or `.npz`) to `collector`, as
    /// many as its limit still takes.
    /// - Throws: `EdgeflowError.invalidInput` (naming the file and the input) for a damaged file,
    ///   an `.npy` given to a multi-input model, missing or unknown `.npz` keys, a wrong shape or
    ///   dtype, arrays with different sample counts, non-finite values, or the budget exceeded;
    ///   `.io` when the file cannot be read; `.unsupported` for a compressed `.npz`.
    static func add(_ url: URL, kind: CalibrationFolder.Kind, to collector: inout SampleCollector) throws {
        let inputs = collector.inputs
        let arrays = kind == .npy ? try readNPY(url, inputs: inputs, budget: collector.readBudget)
                                  : try readNPZ(url, inputs: inputs, budget: collector.readBudget)
        var counts: [Int] = []
        for input in inputs {
            guard let array = arrays[input.name] else {
                throw EdgeflowError(.internalError, "\(url.path): no array for input '\(input.name)'")
            }
            counts.append(try ArraySamples.count(array, for: input, file: url))
        }
        guard let count = counts.first, counts.allSatisfy({ $0 == count }) else {
            let listed = zip(inputs, counts).map { "'\($0.name)' \($1)" }.joined(separator: ", ")
            throw EdgeflowError(.invalidInput, "\(url.path): the arrays hold different numbers of samples (\(listed))",
                                hint: "give every input the same number of samples along the first axis")
        }
        let take = try collector.admit(count, from: url)
        for index in 0..<take {
            var sample: [String: Tensor] = [:]
            for input in inputs {
                guard let array = arrays[input.name] else { continue }
                sample[input.name] = try ArraySamples.sample(index, of: array, for: input, file: url)
            }
            collector.append(sample)
        }
        if take > 0 { collector.countFile() }
    }

    /// The array of an `.npy` file, keyed by the single input's name.
    private static func readNPY(_ url: URL, inputs: [CalibrationInput], budget: MemoryBudget) throws
        -> [String: Tensor] {
        guard let input = inputs.first, inputs.count == 1 else {
            let names = inputs.map(\.name)
            throw EdgeflowError(.invalidInput,
                "\(url.path): an .npy file holds one array, but the model has \(inputs.count) inputs "
                    + "(\(names.map { "'\($0)'" }.joined(separator: ", ")))",
                hint: "give an .npz file with one array per input: \(savez(names))")
        }
        return [input.name: try NPY.read(contentsOf: url, budget: budget)]
    }

    /// The arrays of an `.npz` file, which must be keyed by exactly the model's input names.
    private static func readNPZ(_ url: URL, inputs: [CalibrationInput], budget: MemoryBudget) throws
        -> [String: Tensor] {
        let bytes = try BoundedRead.contents(of: url, limit: budget.limitBytes, what: ".npz file",
                                             howToChange: budget.howToChange)
        let arrays: [String: Tensor]
        do {
            arrays = try NPZ.decode(Data(bytes), label: url.path)
        } catch let error as EdgeflowError where error.kind == .invalidArchive {
            throw EdgeflowError(.invalidInput, error.message,
                                hint: error.hint ?? "save it again with numpy.savez (one array per model input)")
        }
        let names = Set(inputs.map(\.name))
        let unknown = arrays.keys.filter { !names.contains($0) }.sorted()
        let missing = inputs.map(\.name).filter { arrays[$0] == nil }
        guard unknown.isEmpty, missing.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing " + missing.map { "'\($0)'" }.joined(separator: ", ")) }
            if !unknown.isEmpty {
                problems.append("unknown keys " + unknown.map { "'\($0)'" }.joined(separator: ", "))
            }
            throw EdgeflowError(.invalidInput,
                "\(url.path): the .npz keys must be the model's input names "
                    + "(\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))); "
                    + problems.joined(separator: "; "),
                hint: "save one array per input under its name: \(savez(inputs.map(\.name)))")
        }
        return arrays
    }

    /// The numpy call that saves one array per name, e.g. `numpy.savez(PATH, **{'a': ..., 'b': ...})`.
    private static func savez(_ names: [String]) -> String {
        "numpy.savez(PATH, **{" + names.map { "'\($0)': ..." }.joined(separator: ", ") + "})"
    }
}
