// Steps running the fast float32 elementwise kernels (EFKernels/Fast).

import EFCore
import EFKernels

/// y = fn(x) over float32.
public final class UnaryStep: Step {
    public let info: StepInfo
    public var scratchpadByteCount: Int { 0 }
    private let function: UnaryFunction
    private let parameters: UnaryParameters
    private let input: StepTensor
    private let output: StepTensor

    /// - Precondition: `FastKernels.supportsUnary(function)`; both tensors float32 of one shape.
    public init(info: StepInfo, function: UnaryFunction, parameters: UnaryParameters,
                input: StepTensor, output: StepTensor) {
        self.info = info
        self.function = function
        self.parameters = parameters
        self.input = input
        self.output = output
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        try FastKernels.unary(function, parameters, input: input.floats(arena), output: output.floats(arena),
                              count: output.shape.elementCount)
    }
}

/// y = fn(a, b) over float32 with broadcasting, planned once.
public final class BinaryStep: Step {
    public let info: StepInfo
    public var scratchpadByteCount: Int { 0 }
    private let plan: FastKernels.BinaryPlan
    private let a: StepTensor
    private let b: StepTensor
    private let output: StepTensor

    /// - Throws: `EdgeflowError.unsupported` for a function the fast kernel lacks.
    public init(info: StepInfo, function: BinaryFunction, a: StepTensor, b: StepTensor, output: StepTensor) throws {
        self.info = info
        plan = try FastKernels.BinaryPlan(function, aShape: a.shape, bShape: b.shape, outputShape: output.shape)
        self.a = a
        self.b = b
        self.output = output
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        plan.run(a: a.floats(arena), b: b.floats(arena), output: output.floats(arena))
    }
}
