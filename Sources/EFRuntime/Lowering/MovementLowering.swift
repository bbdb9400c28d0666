// Lowering of the data-movement ops that have fast paths: concat, gather, slice (as planned
// block copies) and resize (nearest/linear plan). Byte copies, so any dtype.

import EFCore
import EFOps
import EFKernels

enum MovementLowering {
    static func concat(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let inputs = try node.inputs.map { try context.tensor($0) }
        let output = try context.tensor(node.outputs[0])
        guard case .concat(let concatAxis) = node.params else { throw FastLowering.mismatch(node) }
        let axis = try normalizeAxis(concatAxis, rank: output.shape.count)
        let outer = Array(output.shape[..<axis]).elementCount
        let chunks = inputs.map { Array($0.shape[axis...]).elementCount * $0.dtype.byteSize }
        let rowBytes = chunks.reduce(0, +)
        return KernelStep(info: context.info(node, kernel: "copy", op: "concat")) { arena, _ in
            let destination = output.operand.pointer(arena)
            var column = 0
            for (input, bytes) in zip(inputs, chunks) {
                let source = input.operand.pointer(arena), start = column
                Parallel.forEachChunk(outer, grain: max(1, 65_536 / max(bytes, 1))) { range in
                    for row in range {
                        (destination + row * rowBytes + start).copyMemory(from: source + row * bytes, byteCount: bytes)
                    }
                }
                column += bytes
            }
        }
    }

    static func gather(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let data = try context.tensor(node.inputs[0]), indices = try context.tensor(node.inputs[1])
        let output = try context.tensor(node.outputs[0])
        guard indices.dtype == .int64 else {
            throw FastPathUnavailable("gather indices are \(indices.dtype.rawValue), not int64")
        }
        guard case .gather(let gatherAxis) = node.params else { throw FastLowering.mismatch(node) }
        let axis = try normalizeAxis(gatherAxis, rank: data.shape.count)
        let outer = Array(data.shape[..<axis]).elementCount, length = data.shape[axis]
        let innerBytes = Array(data.shape[(axis + 1)...]).elementCount * data.dtype.byteSize
        let count = indices.shape.elementCount
        return KernelStep(info: context.info(node, kernel: "copy", op: "gather")) { arena, _ in
            try FastKernels.gather(input: data.operand.pointer(arena), outer: outer, axisLength: length,
                                   innerBytes: innerBytes,
                                   indices: indices.operand.pointer(arena).assumingMemoryBound(to: Int64.self),
                                   indexCount: count, output: output.operand.pointer(arena))
        }
    }

    static func slice(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        guard case .slice(let slice) = node.params else { throw FastLowering.mismatch(node) }
        let runs = try SliceRuns(input: input.shape, output: output.shape, elementSize: input.dtype.byteSize,
                                 starts: slice.starts, steps: slice.steps(rank: input.shape.count))
        return KernelStep(info: context.info(node, kernel: "copy", op: "slice")) { arena, _ in
            let source = input.operand.pointer(arena), destination = output.operand.pointer(arena)
            let bytes = runs.runBytes
            runs.sourceOffsets.withUnsafeBufferPointer { offsets in
                Parallel.forEachChunk(offsets.count, grain: max(1, 65_536 / max(bytes, 1))) { range in
                    for run in range {
                        (destination + run * bytes).copyMemory(from: source + offsets[run], byteCount: bytes)
                    }
                }
            }
        }
    }

    static func resize(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [input, output])
        guard case .resize(let parameters) = node.params else { throw FastLowering.mismatch(node) }
        guard FastKernels.supportsResize(parameters) else {
            throw FastPathUnavailable(
                "fast resize takes nearest/linear without antialias, not \(parameters.mode.rawValue)")
        }
        let plan = try FastKernels.ResizePlan(parameters, inputShape: input.shape)
        let info = context.info(node, kernel: "simd f32 sse2", op: "resize \(parameters.mode.rawValue)")
        return KernelStep(info: info) { arena, _ in
            plan.run(input: input.floats(arena), output: output.floats(arena))
        }
    }
}

/// A slice as contiguous byte runs: the output is `sourceOffsets.count` runs of `runBytes`,
/// run r copied from input byte offset `sourceOffsets[r]`.
struct SliceRuns {
    let runBytes: Int
    let sourceOffsets: [Int]

    /// Refuses (FastPathUnavailable) plans with more than a million runs.
    init(input: [Int], output: [Int], elementSize: Int, starts: [Int], steps: [Int]) throws {
        // An empty output copies nothing; its starts and steps were never range-checked.
        guard !output.contains(0) else {
            runBytes = 0
            sourceOffsets = []
            return
        }
        let rank = input.count
        let strides = input.contiguousStrides
        // Trailing axes copied whole extend the run; the first partial axis with step 1 does too.
        var axis = rank
        var run = elementSize
        while axis > 0, output[axis - 1] == input[axis - 1], steps[axis - 1] == 1 {
            axis -= 1
            run *= input[axis]
        }
        if axis > 0, steps[axis - 1] == 1 {
            axis -= 1
            run *= output[axis]
        }
        let outerDims = Array(output[..<axis])
        let count = outerDims.elementCount
        guard count <= 1 << 20 else { throw FastPathUnavailable("slice into \(count) runs") }
        let base = zip(starts, strides).reduce(0) { $0 + $1.0 * $1.1 } * elementSize
        var offsets = [Int](repeating: base, count: count)
        var index = [Int](repeating: 0, count: axis)
        for r in 0..<count {
            var offset = base
            for d in 0..<axis { offset += index[d] * steps[d] * strides[d] * elementSize }
            offsets[r] = offset
            var d = axis - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outerDims[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        runBytes = run
        sourceOffsets = offsets
    }
}
