// Lowering of unary and binary float32 nodes onto the fast elementwise kernels.

import EFCore
import EFIR
import EFKernels
import EFRuntime

enum ElementwiseLowering {
    static func unary(_ node: Node, _ context: LoweringContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try requireFloat32(node, [input, output])
        let name = try node.attributes.requiredString("fn")
        guard let function = UnaryFunction(rawValue: name), FastKernels.supportsUnary(function) else {
            throw FastPathUnavailable("no fast kernel for unary \(name)")
        }
        let parameters = UnaryParameters(alpha: node.attributes.float("alpha", default: 0),
                                         beta: node.attributes.float("beta", default: 0),
                                         gamma: node.attributes.float("gamma", default: 0))
        let count = output.shape.elementCount
        return KernelStep(info: StepInfo(node: node.name, op: "unary \(name)", kernel: "simd")) { arena, _ in
            try FastKernels.unary(function, parameters, input: input.floats(arena), output: output.floats(arena), count: count)
        }
    }

    static func binary(_ node: Node, _ context: LoweringContext) throws -> any Step {
        let a = try context.tensor(node.inputs[0]), b = try context.tensor(node.inputs[1])
        let output = try context.tensor(node.outputs[0])
        try requireFloat32(node, [a, b, output])
        let name = try node.attributes.requiredString("fn")
        guard let function = BinaryFunction(rawValue: name), FastKernels.supportsBinary(function) else {
            throw FastPathUnavailable("no fast kernel for binary \(name)")
        }
        let plan = try FastKernels.BinaryPlan(function, aShape: a.shape, bShape: b.shape, outputShape: output.shape)
        return KernelStep(info: StepInfo(node: node.name, op: "binary \(name)", kernel: "simd")) { arena, _ in
            plan.run(a: a.floats(arena), b: b.floats(arena), output: output.floats(arena))
        }
    }

    /// Fast kernels take float32 only.
    static func requireFloat32(_ node: Node, _ tensors: [StepTensor]) throws {
        if let other = tensors.first(where: { $0.dtype != .float32 }) {
            throw FastPathUnavailable("fast kernels take float32, this node has \(other.dtype.rawValue)")
        }
    }
}
