// Output shapes when the file's declaration cannot be trusted. A converter that did not know a
// dimension (a batch or frame count decided by the input's length) writes 1 in the tensor's
// shape and −1 in its shape signature; LiteRT recomputes such shapes when it allocates tensors.
// Edgeflow does the same: translators compute the shape an operator gives and check it against
// the declaration only where the signature knows the dimension.

import EFCore

extension TranslationContext {
    /// Whether `computed` may be output `out`'s shape: the declared shape, or one that agrees with
    /// the shape signature wherever that is not −1.
    func fits(_ computed: [Int], _ out: Int) -> Bool {
        if computed == shape(out) { return true }
        guard hasPlaceholderShape(out), let signature = tensor(out).shapeSignature,
              signature.count == computed.count else { return false }
        return zip(signature, computed).allSatisfy { $0 == -1 || $0 == $1 }
    }

    /// The shape RESHAPE, SQUEEZE or EXPAND_DIMS gives `op`'s output: the declared one, or when
    /// that holds placeholders, the one the operator's operands decide (RESHAPE's new_shape with
    /// −1 resolved, SQUEEZE's squeeze_dims, EXPAND_DIMS' axis).
    /// - Throws: `.invalidModel` when the operands do not decide a shape of the input's size,
    ///   `.unsupported` when they are computed at run time.
    func reshapedShape(_ op: TFLiteOperator) throws -> [Int] {
        let out = try output(op)
        guard hasPlaceholderShape(out) else { return shape(out) }
        let input = try input(op, 0, "input"), inputShape = shape(input)
        let count = try CheckedSize.product(inputShape, opDescription, kind: .invalidModel)
        var result: [Int]
        switch model.operatorCodes[op.opcodeIndex].builtinCode {
        case BuiltinOperator.squeeze:
            let dims = try Options(op).table?.vector(0, elementSize: 4, "squeeze_dims")?.int32s().map(Int.init) ?? []
            let axes = Set(dims.map { $0 < 0 ? $0 + inputShape.count : $0 })
            result = inputShape.enumerated().filter { axes.isEmpty ? $0.element != 1 : !axes.contains($0.offset) }
                .map(\.element)
        case BuiltinOperator.expandDims:
            let axis = try constantInput(op, 1, "axis").intValues("EXPAND_DIMS axis").first ?? 0
            let position = axis < 0 ? axis + inputShape.count + 1 : axis
            guard (0...inputShape.count).contains(position) else {
                throw EdgeflowError(.invalidModel, "\(opDescription): axis \(axis) is outside rank \(inputShape.count)")
            }
            result = inputShape
            result.insert(1, at: position)
        default:
            result = try newShape(op)
            if let unknown = result.firstIndex(of: -1) {
                let known = try CheckedSize.product(result.filter { $0 != -1 }, opDescription, kind: .invalidModel)
                guard known > 0, count % known == 0 else {
                    throw EdgeflowError(.invalidModel, "\(opDescription): new shape \(result) does not divide "
                        + "the input's \(count) elements")
                }
                result[unknown] = count / known
            }
        }
        guard try CheckedSize.product(result, opDescription, kind: .invalidModel) == count, fits(result, out) else {
            throw EdgeflowError(.invalidModel, "\(opDescription): gives shape \(result) from input \(inputShape); the "
                + "output is declared \(shape(out)) (signature \(tensor(out).shapeSignature ?? []))")
        }
        return result
    }

    /// The shape FULLY_CONNECTED gives (weights [units, depth]): the declared one, or when that
    /// holds placeholders, the input's with its last dimension units (keep_num_dims) or
    /// [elements / depth, units].
    func fullyConnectedShape(_ op: TFLiteOperator, units: Int, depth: Int) throws -> [Int] {
        let out = try output(op)
        guard hasPlaceholderShape(out) else { return shape(out) }
        let inputShape = shape(try input(op, 0, "input"))
        let count = try CheckedSize.product(inputShape, opDescription, kind: .invalidModel)
        let result = try Options(op).bool(2) ? inputShape.dropLast() + [units] : [count / depth, units]
        guard count % depth == 0, fits(result, out) else {
            throw EdgeflowError(.invalidModel, "\(opDescription): input \(inputShape) gives \(result); the output "
                + "is declared \(shape(out)) (signature \(tensor(out).shapeSignature ?? []))")
        }
        return result
    }

    /// RESHAPE's new_shape: its second input, else its options' vector.
    private func newShape(_ op: TFLiteOperator) throws -> [Int] {
        if op.inputs.count > 1, op.inputs[1] >= 0 {
            return try constantInput(op, 1, "new_shape").intValues("RESHAPE new_shape")
        }
        guard let values = try Options(op).table?.vector(0, elementSize: 4, "new_shape")?.int32s() else {
            throw EdgeflowError(.invalidModel, "\(opDescription) has no new shape")
        }
        return values.map(Int.init)
    }
}
