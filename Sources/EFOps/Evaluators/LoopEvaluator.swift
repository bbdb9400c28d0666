// The runtime loop's reference evaluator: runs the body once per iteration with the reference
// kernels, threading the carried values, handing each iteration its slice of every scanned input
// and writing its parts into the stacked outputs. Slices and parts are copied as bytes: an entry
// along axis a of a tensor [outer, n, inner] is `outer` runs of `inner` elements.

import EFCore

enum LoopEvaluator {
    /// - Throws: `EdgeflowError` naming the iteration and body node that failed, or inputs that do
    ///   not fit the loop's shape rule.
    static func evaluate(_ loop: LoopParameters, _ arguments: Arguments) throws -> [Tensor] {
        var inputs = try (0..<arguments.count).map { try arguments.required($0, "loop operand") }
        let outputTypes = try LoopShapes.outputTypes(loop, inputs.map { TensorType($0.dtype, $0.shape) })
        if loop.checksInitialCondition, !isTrue(inputs.removeFirst()) {
            return Array(inputs.prefix(loop.carriedCount))  // no iteration; nothing is stacked
        }
        let scanned = Array(inputs[loop.carriedCount ..< loop.carriedCount + loop.scanInputAxes.count])
        let invariants = Array(inputs.suffix(loop.invariantCount))
        var state = Array(inputs.prefix(loop.carriedCount))
        let stacked = outputTypes.dropFirst(loop.carriedCount).map { Tensor(zeros: $0.dtype, shape: $0.shape) }
        for iteration in 0..<loop.tripCount {
            let slices = scanned.indices.map { k in
                entry(of: scanned[k], axis: loop.scanInputAxes[k],
                      at: loop.scanInputsReversed[k] ? loop.tripCount - 1 - iteration : iteration)
            }
            let counter = loop.countsIterations ? [Tensor(shape: [], scalars: [Int64(iteration)])] : []
            var results: [Tensor]
            do {
                results = try run(loop.body, counter + state + slices + invariants)
            } catch let error as EdgeflowError {
                throw error.prefixed("loop iteration \(iteration)")
            }
            let keepGoing = loop.checksCondition ? isTrue(results.removeFirst()) : true
            state = Array(results.prefix(loop.carriedCount))
            for (k, part) in results.dropFirst(loop.carriedCount).enumerated() {
                let position = loop.scanOutputsReversed[k] ? loop.tripCount - 1 - iteration : iteration
                write(part, into: stacked[k], axis: loop.scanOutputAxes[k], at: position)
            }
            if !keepGoing { break }
        }
        return state + stacked
    }

    /// The body's outputs for one iteration's inputs.
    private static func run(_ body: LoopBody, _ inputs: [Tensor]) throws -> [Tensor] {
        try body.walk(inputs) { node, arguments in
            try ReferenceEvaluator.evaluate(node.params, arguments, outputCount: node.outputs.count)
        }
    }

    private static func isTrue(_ condition: Tensor) -> Bool { condition.withUnsafeBytes { $0[0] != 0 } }

    /// Entry `position` of `tensor` along `axis`, the axis removed.
    private static func entry(of tensor: Tensor, axis: Int, at position: Int) -> Tensor {
        var shape = tensor.shape
        let (outer, count, inner) = split(shape, axis: axis, elementBytes: tensor.dtype.byteSize)
        shape.remove(at: axis)
        let result = Tensor(zeros: tensor.dtype, shape: shape)
        let source = tensor.storage.pointer, target = result.storage.pointer
        for o in 0..<outer {
            (target + o * inner).copyMemory(from: source + (o * count + position) * inner, byteCount: inner)
        }
        return result
    }

    /// Writes `part` as entry `position` of `stacked` along `axis`.
    private static func write(_ part: Tensor, into stacked: Tensor, axis: Int, at position: Int) {
        let (outer, count, inner) = split(stacked.shape, axis: axis, elementBytes: stacked.dtype.byteSize)
        let source = part.storage.pointer, target = stacked.storage.pointer
        for o in 0..<outer {
            (target + (o * count + position) * inner).copyMemory(from: source + o * inner, byteCount: inner)
        }
    }

    /// Elements before `axis`, the axis's extent, and bytes after it.
    private static func split(_ shape: [Int], axis: Int, elementBytes: Int) -> (Int, Int, Int) {
        (Array(shape[..<axis]).elementCount, shape[axis], Array(shape[(axis + 1)...]).elementCount * elementBytes)
    }
}
