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
        guard FastKernels.supportsUnary(function) else { throw FastPathUnavailable("no fast kernel for unary \(name)") }
        let count = output.shape.elementCount
        return KernelStep(info: context.info(node, kernel: "simd f32 \(SIMDKernels.isa)", op: "unary \(name)")) { arena, _ in
            try SIMDKernels.unary(function, parameters, input: input.floats(arena), output: output.floats(arena),
                                  count: count)
        }
    }

    static func binary(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let a = try context.tensor(node.inputs[0]), b = try context.tensor(node.inputs[1])
        let output = try context.tensor(node.outputs[0])
        try requireFloat32(node, [a, b, output])
        guard case .binary(let function) = node.params else { throw FastLowering.mismatch(node) }
        let name = function.rawValue
        guard FastKernels.supportsBinary(function) else {
            throw FastPathUnavailable("no fast kernel for binary \(name)")
        }
        let plan = try FastKernels.BinaryPlan(function, aShape: a.shape, bShape: b.shape, outputShape: output.shape)
        return KernelStep(info: context.info(node, kernel: "simd", op: "binary \(name)")) { arena, _ in
            plan.run(a: a.floats(arena), b: b.floats(arena), output: output.floats(arena))
        }
    }

    /// Fast kernels take float32 only.
    static func requireFloat32(_ node: PlannedStep, _ tensors: [StepTensor]) throws {
        if let other = tensors.first(where: { $0.dtype != .float32 }) {
            throw FastPathUnavailable("fast kernels take float32, this node has \(other.dtype.rawValue)")
        }
    }
}
