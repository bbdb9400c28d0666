// The runtime loop's output types: the body's types inferred node by node from the loop's inputs
// (an iteration's slices of the scanned inputs), carried values that keep their types, and
// stacked outputs with the trip count inserted at their axis.

import EFCore

enum LoopShapes {
    static func infer(_ op: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        guard case .loop(let loop) = op.params else { return [] }
        return try outputTypes(loop, inputs)
    }

    /// The loop's output types: the carried values', then the stacked outputs'.
    /// - Throws: `EdgeflowError.invalidModel` when an input is missing, a scanned input's extent is
    ///   not the trip count, a carried value changes type, or a body node does not fit its inputs.
    static func outputTypes(_ loop: LoopParameters, _ inputs: [TensorType?]) throws -> [TensorType] {
        let scanned = loop.scanInputAxes.count, leading = loop.checksInitialCondition ? 1 : 0
        let expected = leading + loop.carriedCount + scanned + loop.invariantCount
        guard inputs.count == expected else {
            throw EdgeflowError(.invalidModel, "loop takes \(expected) inputs, \(inputs.count) given")
        }
        var types = try inputs.indices.map { try OpShapes.required(inputs, $0, "loop operand") }
        if leading == 1 {
            let condition = types.removeFirst()
            guard condition.dtype == .bool, condition.shape.elementCount == 1 else {
                throw EdgeflowError(.invalidModel, "loop: the initial condition is \(condition), not one bool")
            }
        }
        let carried = Array(types.prefix(loop.carriedCount))
        let slices = try (0..<scanned).map { k in
            let type = types[loop.carriedCount + k]
            let axis = loop.scanInputAxes[k]
            guard (0..<type.shape.count).contains(axis), type.shape[axis] == loop.tripCount else {
                throw EdgeflowError(.invalidModel, "loop: scanned input \(k) \(type) has no axis \(axis) "
                                        + "of \(loop.tripCount) entries")
            }
            var shape = type.shape
            shape.remove(at: axis)
            return TensorType(type.dtype, shape)
        }
        let counter = loop.countsIterations ? [TensorType(.int64, [])] : []
        let bodyInputs = counter + carried + slices + Array(types.suffix(loop.invariantCount))
        let results = try bodyOutputTypes(loop.body, bodyInputs)
        var next = results[...]
        if loop.checksCondition {
            let condition = next.removeFirst()
            guard condition.dtype == .bool, condition.shape.elementCount == 1 else {
                throw EdgeflowError(.invalidModel, "loop: the body's condition is \(condition), not one bool")
            }
        }
        for (k, (initial, updated)) in zip(carried, next.prefix(loop.carriedCount)).enumerated()
        where initial != updated {
            throw EdgeflowError(.invalidModel,
                                "loop: carried value \(k) is \(initial) but the body makes it \(updated)")
        }
        let stacked = try zip(loop.scanOutputAxes, next.dropFirst(loop.carriedCount)).map { axis, part in
            guard (0...part.shape.count).contains(axis) else {
                throw EdgeflowError(.invalidModel,
                                    "loop: a stacked output of rank \(part.shape.count + 1) has no axis \(axis)")
            }
            var shape = part.shape
            shape.insert(loop.tripCount, at: axis)
            let type = TensorType(part.dtype, shape)
            try type.checkSize("stacked loop output")
            return type
        }
        return carried + stacked
    }

    /// The types of the body's outputs for inputs of `inputTypes`.
    private static func bodyOutputTypes(_ body: LoopBody, _ inputTypes: [TensorType]) throws -> [TensorType] {
        guard inputTypes.count == body.inputs.count else {
            throw EdgeflowError(.invalidModel, "loop body takes \(body.inputs.count) inputs, \(inputTypes.count) given")
        }
        return try body.walk(inputTypes) { node, types in
            try OpShapes.infer(OpInstance(node.params, outputCount: node.outputs.count), inputTypes: types,
                               outputNames: node.outputs)
        }
    }
}
