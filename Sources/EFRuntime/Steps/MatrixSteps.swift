// Steps running oneDNN's convolution, deconvolution and matrix product kernels, whose weights
// were packed once when the step was made.

import EFCore
import EFKernels
import EFOneDNN

/// Convolution or deconvolution with the fused epilogue act(conv + bias + residual).
public final class ConvolutionStep: Step {
    public let info: StepInfo
    public let scratchpadByteCount: Int
    private let execute: (UnsafeRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer?) throws -> Void
    private let input: StepTensor
    private let residual: StepTensor?
    private let output: StepTensor

    /// - Parameter residual: copied into the output before the kernel runs (oneDNN's sum
    ///   post-op adds the destination's previous content) unless the memory plan placed the
    ///   output on it; nil when the epilogue has none.
    public init(info: StepInfo, convolution: DNNLConvolution, input: StepTensor, residual: StepTensor?,
                output: StepTensor) {
        self.info = info
        scratchpadByteCount = convolution.scratchpadByteCount
        execute = {
            try convolution.execute(source: $0, destination: $1, scratchpad: $2) { Parallel.forEachChunk($0, $1) }
        }
        self.input = input
        self.residual = residual
        self.output = output
    }

    public init(info: StepInfo, deconvolution: DNNLDeconvolution, input: StepTensor, output: StepTensor) {
        self.info = info
        scratchpadByteCount = deconvolution.scratchpadByteCount
        execute = { try deconvolution.execute(source: $0, destination: $1, scratchpad: $2) }
        self.input = input
        self.residual = nil
        self.output = output
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        let destination = output.operand.pointer(arena)
        if let residual {
            let source = residual.operand.pointer(arena)
            if source != destination { destination.copyMemory(from: source, byteCount: output.byteCount) }
        }
        try execute(input.operand.pointer(arena), destination, scratchpad)
    }
}

/// Matrix product with a constant (packed) or runtime B and the fused epilogue.
public final class MatMulStep: Step {
    public let info: StepInfo
    public let scratchpadByteCount: Int
    private let matMul: DNNLMatMul
    private let a: StepTensor
    private let b: StepTensor?
    private let output: StepTensor

    /// - Parameter b: the runtime B operand, nil when the kernel holds a constant B.
    public init(info: StepInfo, matMul: DNNLMatMul, a: StepTensor, b: StepTensor?, output: StepTensor) {
        self.info = info
        scratchpadByteCount = matMul.scratchpadByteCount
        self.matMul = matMul
        self.a = a
        self.b = b
        self.output = output
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        try matMul.execute(a: a.operand.pointer(arena), b: b.map { UnsafeRawPointer($0.operand.pointer(arena)) },
                           destination: output.operand.pointer(arena), scratchpad: scratchpad)
    }
}
