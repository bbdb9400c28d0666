// The inputs the verbs that run an executable (`run`, `profile`) or time a model (`benchmark`)
// feed it: `.npy` files given as NAME=FILE (or FILE alone for a one-input model, matched by
// InputAssignment as `infer` matches them) checked against the declared inputs, or
// deterministic synthetic tensors of the declared dtype and shape.

import EFCore
import EFIR
import EdgeflowRuntime
import Foundation

enum ExecutableInputs {
    /// How the synthetic inputs are made, for the notes the commands print.
    static let syntheticNote = "floats uniform in [0, 1) and uint8 bytes from a fixed seed, other integers 0, "
        + "bools false"

    /// One tensor per declared input, from the `--input` arguments (every input needs one).
    /// - Throws: `EdgeflowError.invalidInput` for unknown, repeated or missing inputs and for
    ///   files that do not match the declared dtype and shape; `.io` for unreadable files.
    static func files(_ arguments: [String], for inputs: [TensorDescriptor]) throws -> [String: Tensor] {
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

    /// The tensors of the `--input` arguments, or synthetic ones when there are none.
    /// - Throws: as `files`.
    static func given(_ arguments: [String], for inputs: [TensorDescriptor]) throws -> [String: Tensor] {
        arguments.isEmpty ? synthetic(for: inputs) : try files(arguments, for: inputs)
    }

    /// Deterministic tensors for `inputs` (see `syntheticNote`): the same bytes on every call.
    static func synthetic(for inputs: [TensorDescriptor]) -> [String: Tensor] {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            let (name, shape, count) = (input.name, input.shape, input.shape.elementCount)
            switch input.dtype {
            case .float32: tensors[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in random.unit() })
            case .float64: tensors[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in Double(random.unit()) })
            case .float16:
                tensors[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in Float16(random.unit()) })
            case .bfloat16:
                tensors[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in BFloat16(random.unit()) })
            case .uint8:
                tensors[name] = Tensor(shape: shape,
                                       scalars: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            default: tensors[name] = Tensor(zeros: input.dtype, shape: shape)
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
