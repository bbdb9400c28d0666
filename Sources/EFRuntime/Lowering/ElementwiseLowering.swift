// Lowering of unary and binary float32 nodes onto the fast elementwise kernels.

import EFCore
import EFOps
import EFKernels

enum ElementwiseLowering {
    static func unary(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try requireFloat32(node, [input, output])
        guard case .unary(let unary) = node.params else { throw FastLowering.mismatch(node) }
        let (function, parameters, name) = (unary.fn, unary.constants, unary.fn.rawValue)
        guard FastKernels.supportsUnary(function) else {
            throw FastPathUnavailable("no fast kernel for unary \(name)")
        }
        let count = output.shape.elementCount
        let info = context.info(node, kernel: "simd f32 \(SIMDKernels.isa)", op: "unary \(name)")
        return KernelStep(info: info) { arena, _ in
            try SIMDKernels.unary(function, parameters, input: input.floats(arena), output: output.floats(arena),
                                  count: count)
        }
    }

    static func binary(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let a = try context.tensor(node.inputs[0]), b = try context.tensor(node.inputs[1])
        let output = try context.tensor(node.outputs[0])
        guard case .binary(let function) = node.params else { throw FastLowering.mismatch(node) }
        if [a, b, output].allSatisfy({ $0.dtype == .int32 }), [.add, .sub, .mul].contains(function) {
            return try binaryInt32(node, context, function, a, b, output)
        }
        if a.dtype == .int32, b.dtype == .int32, output.dtype == .bool, function.isComparison {
            return try binaryInt32(node, context, function, a, b, output)
        }
        try requireFloat32(node, [a, b, output])
        let name = function.rawValue
        guard FastKernels.supportsBinary(function) else {
            throw FastPathUnavailable("no fast kernel for binary \(name)")
        }
        let plan = try FastKernels.BinaryPlan(function, aShape: a.shape, bShape: b.shape, outputShape: output.shape)
        return KernelStep(info: context.info(node, kernel: "simd f32 sse2", op: "binary \(name)")) { arena, _ in
            plan.run(a: a.floats(arena), b: b.floats(arena), output: output.floats(arena))
        }
    }

    /// Wrapping int32 add, sub and mul and the int32 comparisons (the arithmetic of quantized TFLite
    /// models), broadcasting.
    private static func binaryInt32(_ node: PlannedStep, _ context: StepContext, _ function: BinaryFunction,
                                    _ a: StepTensor, _ b: StepTensor, _ output: StepTensor) throws -> any Step {
        let plan = try FastKernels.BinaryPlan(function, aShape: a.shape, bShape: b.shape, outputShape: output.shape)
        let name = function.rawValue
        let comparison = output.dtype == .bool
        return KernelStep(info: context.info(node, kernel: "simd s32 sse2", op: "binary \(name)")) { arena, _ in
            func int32s(_ tensor: StepTensor) -> UnsafeMutablePointer<Int32> {
                tensor.operand.pointer(arena).assumingMemoryBound(to: Int32.self)
            }
            if comparison {
                try plan.runInt32Comparison(a: int32s(a), b: int32s(b),
                                            output: output.operand.pointer(arena).assumingMemoryBound(to: Bool.self))
            } else {
                try plan.runInt32(a: int32s(a), b: int32s(b), output: int32s(output))
            }
        }
    }

    /// Fast kernels take float32 only.
    static func requireFloat32(_ node: PlannedStep, _ tensors: [StepTensor]) throws {
        if let other = tensors.first(where: { $0.dtype != .float32 }) {
            throw FastPathUnavailable("fast kernels take float32, this node has \(other.dtype.rawValue)")
        }
    }
}
