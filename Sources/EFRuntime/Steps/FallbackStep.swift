// A step that runs a reference kernel: inputs are viewed in place (borrowed arena memory),
// the kernel allocates its result as usual, and the result is copied into the output slots.
// The compiler uses it for ops and shapes the fast kernels do not take, and logs why.

import EFCore

/// Runs a reference kernel closure.
public final class FallbackStep: Step {
    public let info: StepInfo
    public var scratchpadByteCount: Int { 0 }
    /// Why the fast path was not taken (shown by `edgeflow infer --verbose` and benchmark).
    public let reason: String
    private let inputs: [StepTensor?]
    private let outputs: [StepTensor]
    private let kernel: ([Tensor?]) throws -> [Tensor]

    /// - Parameters:
    ///   - inputs: the kernel's operands in order (nil for an absent optional input).
    ///   - outputs: where each result goes; the kernel must return exactly these types.
    public init(info: StepInfo, reason: String, inputs: [StepTensor?], outputs: [StepTensor],
                kernel: @escaping ([Tensor?]) throws -> [Tensor]) {
        self.info = info
        self.reason = reason
        self.inputs = inputs
        self.outputs = outputs
        self.kernel = kernel
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        let results = try kernel(inputs.map { $0?.view(arena) })
        guard results.count >= outputs.count else {
            throw EdgeflowError(.internalError,
                                "reference kernel returned \(results.count) results, expected \(outputs.count)")
        }
        for (result, output) in zip(results, outputs) {
            guard result.dtype == output.dtype, result.shape == output.shape else {
                throw EdgeflowError(.internalError, "reference kernel returned \(result.description), planned "
                                    + "\(output.dtype.rawValue)\(output.shape.shapeDescription)")
            }
            let destination = output.operand.pointer(arena)
            if destination != result.storage.pointer {
                result.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        }
    }
}
