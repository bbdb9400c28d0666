// Lowering of pool (2-D max/avg, global average) and transpose onto the fast kernels.

import EFCore
import EFOps
import EFKernels

enum WindowLowering {
    static func pool(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard node.outputs.count == 1 else { throw FastPathUnavailable("max pool with indices output") }
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [input, output])
        guard case .pool(let pool) = node.params else { throw FastLowering.mismatch(node) }
        let parameters = pool.pool
        let layout: FastLayout = pool.channelsLast ? .nhwc : .nchw
        guard FastKernels.supportsPool(parameters, rank: input.shape.count) else {
            throw FastPathUnavailable(
                "fast pooling takes 2-D max/avg, not \(parameters.kind.rawValue) over rank \(input.shape.count)")
        }
        let logical = MatrixLowering.logical(node, input.shape)
        if parameters.kind == .avg, isGlobal(parameters, logical) {
            let (batch, channels, spatial) = (logical[0], logical[1], logical[2] * logical[3])
            return KernelStep(info: context.info(node, kernel: "simd f32 sse2", op: "pool avg (global)")) { arena, _ in
                FastKernels.globalAveragePool(input: input.floats(arena), output: output.floats(arena), batch: batch,
                                              channels: channels, spatial: spatial, layout: layout)
            }
        }
        let plan = try FastKernels.PoolPlan(parameters, inputShape: input.shape, layout: layout)
        let info = context.info(node, kernel: "simd f32 sse2", op: "pool \(parameters.kind.rawValue)")
        return KernelStep(info: info) { arena, _ in
            plan.run(input: input.floats(arena), output: output.floats(arena))
        }
    }

    static func transpose(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        guard case .transpose(let perm) = node.params else { throw FastLowering.mismatch(node) }
        let plan = try FastKernels.TransposePlan(shape: input.shape, perm: perm,
                                                 elementSize: input.dtype.byteSize)
        return KernelStep(info: context.info(node, kernel: "simd f32 sse2", op: "transpose")) { arena, _ in
            plan.run(input: input.operand.pointer(arena), output: output.operand.pointer(arena))
        }
    }

    /// A window covering the whole unpadded, unstrided spatial extent.
    private static func isGlobal(_ parameters: PoolParameters, _ shape: [Int]) -> Bool {
        Array(shape[2...]) == parameters.kernel && parameters.window.pads.allSatisfy { $0 == 0 }
            && parameters.window.dilations.allSatisfy { $0 == 1 }
    }
}
