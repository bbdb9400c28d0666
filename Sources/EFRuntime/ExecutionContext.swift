// Runs a program: one arena and one scratchpad allocated up front, reused by every run, so a
// run allocates no tensor memory (only the convenience `run(_:)` allocates its result tensors).

import EFCore
import Foundation

/// The state of one runner of a program. Not thread-safe: use one context per thread.
public final class ExecutionContext {
    public let program: Program
    private let arena: UnsafeMutableRawPointer
    private let scratchpad: UnsafeMutableRawPointer

    /// Allocates the arena and scratchpad for `program`.
    public init(program: Program) {
        self.program = program
        arena = LargeAllocation.allocate(byteCount: max(program.arenaByteCount, 64), alignment: TensorStorage.alignment)
        arena.initializeMemory(as: UInt8.self, repeating: 0, count: max(program.arenaByteCount, 64))
        scratchpad = UnsafeMutableRawPointer.allocate(byteCount: max(program.scratchpadByteCount, 64),
                                                      alignment: 4096)
    }

    deinit {
        arena.deallocate()
        scratchpad.deallocate()
    }

    /// The bytes of input `index` to fill before `run()`.
    public func inputBuffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
        let value = program.inputs[index]
        return UnsafeMutableRawBufferPointer(start: value.operand.pointer(arena), count: value.byteCount)
    }

    /// The bytes of output `index` after `run()`; valid until the next run.
    public func outputBuffer(_ index: Int) -> UnsafeRawBufferPointer {
        let value = program.outputs[index]
        return UnsafeRawBufferPointer(start: value.operand.pointer(arena), count: value.byteCount)
    }

    /// Runs every step on the current input buffers.
    /// - Parameter stepNanoseconds: when given (one slot per step), each step's wall time is
    ///   added to its slot.
    /// - Throws: a reference kernel's error, prefixed with the node name.
    public func run(stepNanoseconds: UnsafeMutableBufferPointer<UInt64>? = nil) throws {
        for (index, step) in program.steps.enumerated() {
            let start = stepNanoseconds == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            do {
                try step.run(arena: arena, scratchpad: scratchpad)
            } catch let error as EdgeflowError {
                throw error.prefixed("node '\(step.info.node)' (\(step.info.op))")
            }
            if let times = stepNanoseconds {
                times[index] += DispatchTime.now().uptimeNanoseconds - start
            }
        }
    }

    /// Copies `inputs` in, runs, and returns copies of the outputs.
    /// - Throws: `EdgeflowError.invalidInput` for missing, unknown or mistyped inputs.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try ProgramInputCheck.validate(inputs, against: program.inputs)
        for (index, value) in program.inputs.enumerated() {
            let destination = inputBuffer(index)
            inputs[value.name]!.withUnsafeBytes { source in
                if let base = source.baseAddress { destination.baseAddress!.copyMemory(from: base, byteCount: source.count) }
            }
        }
        try run()
        var results: [String: Tensor] = [:]
        for (index, value) in program.outputs.enumerated() {
            results[value.name] = Tensor(dtype: value.dtype, shape: value.shape, bytes: outputBuffer(index))
        }
        return results
    }
}

/// The input contract of a program.
enum ProgramInputCheck {
    static func validate(_ inputs: [String: Tensor], against expected: [ProgramValue]) throws {
        let names = Set(expected.map(\.name))
        let extra = inputs.keys.filter { !names.contains($0) }.sorted()
        let missing = expected.map(\.name).filter { inputs[$0] == nil }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing input(s) \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unknown input(s) \(extra.joined(separator: ", "))") }
            throw EdgeflowError(.invalidInput, parts.joined(separator: "; "),
                                hint: "the model's inputs are: " + expected.map {
                                    "\($0.name) \($0.dtype.rawValue)\($0.shape.shapeDescription)" }.joined(separator: ", "))
        }
        for value in expected {
            let tensor = inputs[value.name]!
            guard tensor.dtype == value.dtype, tensor.shape == value.shape else {
                throw EdgeflowError(.invalidInput,
                    "input '\(value.name)' is \(tensor.dtype.rawValue)\(tensor.shape.shapeDescription) but the model expects \(value.dtype.rawValue)\(value.shape.shapeDescription)")
            }
        }
    }
}
