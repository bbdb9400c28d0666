// Lowering of softmax, logSoftmax, layerNorm and reduce (float32) onto the fast kernels.

import EFCore
import EFOps
import EFKernels

enum ReductionLowering {
    static func softmax(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [input, output])
        let softmaxAxis: Int
        switch node.params {
        case .softmax(let axis), .logSoftmax(let axis): softmaxAxis = axis
        default: throw FastLowering.mismatch(node)
        }
        let axis = try normalizeAxis(softmaxAxis, rank: input.shape.count)
        let (outer, length, inner) = split(input.shape, axes: axis..<(axis + 1))
        let log = node.op == .logSoftmax
        let info = context.info(node, kernel: "simd f32 \(SIMDKernels.isa)", op: node.op.rawValue)
        return KernelStep(info: info) { arena, _ in
            SIMDKernels.softmax(input: input.floats(arena), output: output.floats(arena),
                                outer: outer, axisLength: length, inner: inner, log: log)
        }
    }

    static func layerNorm(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard node.outputs.count == 1 else { throw FastPathUnavailable("layerNorm with statistics outputs") }
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [input, output])
        guard case .layerNorm(let layerNorm) = node.params else { throw FastLowering.mismatch(node) }
        let axis = try normalizeAxis(layerNorm.axis, rank: input.shape.count)
        let normalized = Array(input.shape[axis...])
        guard let scale = context.constant(node, 1) else { throw FastPathUnavailable("layerNorm scale computed at run time") }
        let bias = context.constant(node, 2)
        if context.optionalInputName(node, 2) != nil && bias == nil {
            throw FastPathUnavailable("layerNorm bias computed at run time")
        }
        let scaleRow = try rowOperand(scale, normalized), biasRow = try bias.map { try rowOperand($0, normalized) }
        let columns = normalized.elementCount, rows = input.shape.elementCount / max(columns, 1)
        let epsilon = layerNorm.epsilon
        let info = context.info(node, kernel: "simd f32 \(SIMDKernels.isa)", op: "layerNorm")
        return KernelStep(info: info) { arena, _ in
            scaleRow.withUnsafeBufferPointer(as: Float.self) { scale in
                SIMDKernels.layerNorm(input: input.floats(arena), output: output.floats(arena), rows: rows,
                                      columns: columns, scale: scale.baseAddress!,
                                      bias: biasRow?.storage.pointer.assumingMemoryBound(to: Float.self), epsilon: epsilon)
            }
        }
    }

    static func reduce(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [input, output])
        guard case .reduce(let reduce) = node.params else { throw FastLowering.mismatch(node) }
        let name = reduce.fn.rawValue
        guard let function = FastReduction(reduce.fn) else {
            throw FastPathUnavailable("no fast kernel for reduce \(name)")
        }
        let axes = reduce.axes
        let all = axes.isEmpty ? Array(0..<input.shape.count) : axes
        guard let first = all.min(), let last = all.max(), last - first + 1 == all.count else {
            throw FastPathUnavailable("reduce over non-adjacent axes \(all)")
        }
        let (outer, reduced, inner) = split(input.shape, axes: first..<(last + 1))
        return KernelStep(info: context.info(node, kernel: "simd", op: "reduce \(name)")) { arena, _ in
            FastKernels.reduce(function, input: input.floats(arena), output: output.floats(arena),
                               outer: outer, reduced: reduced, inner: inner)
        }
    }

    /// The [outer, reduced, inner] view of `shape` around the contiguous `axes`.
    static func split(_ shape: [Int], axes: Range<Int>) -> (Int, Int, Int) {
        (Array(shape[..<axes.lowerBound]).elementCount, Array(shape[axes]).elementCount,
         Array(shape[axes.upperBound...]).elementCount)
    }

    /// A scale or bias broadcast onto the normalized dims, as one contiguous float32 row.
    private static func rowOperand(_ tensor: Tensor, _ normalized: [Int]) throws -> Tensor {
        guard tensor.dtype == .float32 else { throw FastPathUnavailable("layerNorm scale/bias must be float32") }
        return tensor.count == normalized.elementCount ? tensor : try Kernels.expand(tensor, to: normalized)
    }
}
