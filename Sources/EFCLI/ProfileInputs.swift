// The inputs `edgeflow profile` runs an executable on: `.npy` files given as NAME=FILE (or
// FILE alone for a one-input model), checked against the executable's declared inputs, or
// deterministic synthetic tensors of the declared dtype and shape when no file is given.

import EFCore
import EFIR
import EdgeflowRuntime
import Foundation

enum ProfileInputs {
    /// What filled the inputs, for the summary: "given" or the synthetic recipe.
    static let syntheticNote = "floats uniform in [0, 1) and uint8 bytes from a fixed seed, other integers 0, "
        + "bools false"

    /// One tensor per declared input: from the `--input` arguments when any are given (then
    /// every input needs one), else synthetic.
    /// - Throws: `EdgeflowError.invalidInput` for unknown, repeated or missing inputs and for
    ///   files that do not match the declared dtype and shape; `.io` for unreadable files.
    static func load(_ arguments: [String], for inputs: [TensorDescriptor]) throws -> [String: Tensor] {
        guard !arguments.isEmpty else { return synthetic(for: inputs) }
        var files: [String: URL] = [:]
        for argument in arguments {
            let (name, path) = try assignment(argument, inputs: inputs)
            guard files[name] == nil else {
                throw EdgeflowError(.invalidInput, "input '\(name)' is given more than once", hint: listing(inputs))
            }
            files[name] = CommandSupport.url(path)
        }
        let missing = inputs.map(\.name).filter { files[$0] == nil }
        guard missing.isEmpty else {
            throw EdgeflowError(.invalidInput, "no data given for " + missing.map { "'\($0)'" }.joined(separator: ", "),
                                hint: listing(inputs) + "; give every input as --input NAME=FILE.npy, or none "
                                    + "to profile on synthetic inputs")
        }
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            tensors[input.name] = try InputCheck.load(input: input.name, from: files[input.name]!,
                                                      expected: TensorType(input.dtype, input.shape))
        }
        return tensors
    }

    /// Deterministic tensors for `inputs` (see `syntheticNote`): the same bytes on every call.
    static func synthetic(for inputs: [TensorDescriptor]) -> [String: Tensor] {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            let count = input.shape.elementCount
            switch input.dtype {
            case .float32:
                tensors[input.name] = Tensor(shape: input.shape, scalars: (0..<count).map { _ in random.unit() })
            case .float64:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in Double(random.unit()) })
            case .float16:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in Float16(random.unit()) })
            case .bfloat16:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in BFloat16(random.unit()) })
            case .uint8:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            default:
                tensors[input.name] = Tensor(zeros: input.dtype, shape: input.shape)
            }
        }
        return tensors
    }

    /// `NAME=FILE` where NAME is a declared input (the longest such prefix wins, since names
    /// and paths may contain `=`), or `FILE` for a one-input model.
    private static func assignment(_ argument: String, inputs: [TensorDescriptor]) throws -> (String, String) {
        let names = Set(inputs.map(\.name))
        let separators = argument.indices.filter { argument[$0] == "=" }.reversed()
        for separator in separators where names.contains(String(argument[..<separator])) {
            return (String(argument[..<separator]), String(argument[argument.index(after: separator)...]))
        }
        if inputs.count == 1 && (!argument.contains("=") || FileManager.default.fileExists(atPath: argument)) {
            return (inputs[0].name, argument)
        }
        if let separator = separators.last {
            throw EdgeflowError(.invalidInput, "the model has no input '\(argument[..<separator])'",
                                hint: listing(inputs))
        }
        throw EdgeflowError(.invalidArgument, "--input \(argument) does not say which input it is for",
                            hint: listing(inputs) + "; give each as --input NAME=FILE.npy")
    }

    /// The declared inputs with dtype and shape, for hints.
    static func listing(_ inputs: [TensorDescriptor]) -> String {
        let described = inputs.map { "\($0.name) \($0.dtype.rawValue)\($0.shape.shapeDescription)" }
        guard !described.isEmpty else { return "the model has no inputs" }
        return "the model's inputs: " + described.joined(separator: ", ")
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator with no global state.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [0, 1) with 24 random bits.
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
