// The inputs `edgeflow profile` runs an executable on: `.npy` files given as NAME=FILE (or
// FILE alone for a one-input model, matched by InputAssignment as for `run`), checked against
// the executable's declared inputs, or deterministic synthetic tensors of the declared dtype
// and shape when no file is given.

import EFCore
import EFIR
import EdgeflowRuntime
import Foundation

enum ProfileInputs {
    /// How the synthetic inputs are made, for the note the command prints.
    static let syntheticNote = "floats uniform in [0, 1) and uint8 bytes from a fixed seed, other integers 0, "
        + "bools false"

    /// One tensor per declared input: from the `--input` arguments when any are given (then
    /// every input needs one; matched as `infer` and `run` match them), else synthetic.
    /// - Throws: `EdgeflowError.invalidInput` for unknown, repeated or missing inputs and for
    ///   files that do not match the declared dtype and shape; `.io` for unreadable files.
    static func load(_ arguments: [String], for inputs: [TensorDescriptor]) throws -> [String: Tensor] {
        guard !arguments.isEmpty else { return synthetic(for: inputs) }
        let types = Dictionary(inputs.map { ($0.name, TensorType($0.dtype, $0.shape)) },
                               uniquingKeysWith: { first, _ in first })
        let files = try InputAssignment.resolve(arguments, InputSignature(inputs: inputs.map(\.name), types: types))
        try RunMemory.checkInputFiles(files, RunMemory.budget(nil))
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            guard let file = files[input.name] else { continue }
            tensors[input.name] = try InputCheck.load(input: input.name, from: file,
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
