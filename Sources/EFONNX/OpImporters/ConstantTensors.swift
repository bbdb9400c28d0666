// Building constant tensors of any dtype for the constant importers, within the import's
// folding budget (ImportContext) so a declared shape can never cause a giant allocation.

import EFCore

enum ConstantTensors {
    /// A rank-0 tensor of `dtype` holding `value` (converted as Swift's numeric initializers do).
    static func scalar(_ value: Double, as dtype: DType) -> Tensor {
        tensor([value], as: dtype).reshaped([])
    }

    /// A 1-D tensor of `dtype` from doubles; for integer dtypes the values must be integral and
    /// in range (callers pass 0/1 or computed counts). Integer dtypes go through the Int64 variant.
    static func tensor(_ values: [Double], as dtype: DType) -> Tensor {
        let shape = [values.count]
        switch dtype {
        case .float32: return Tensor(shape: shape, scalars: values.map { Float($0) })
        case .float64: return Tensor(shape: shape, scalars: values)
        case .float16: return Tensor(shape: shape, scalars: values.map { Float16($0) })
        case .bfloat16: return Tensor(shape: shape, scalars: values.map { BFloat16(Float($0)) })
        case .bool: return Tensor(shape: shape, scalars: values.map { $0 != 0 })
        default: return tensor(values.map { Int64($0) }, as: dtype)
        }
    }

    /// A 1-D tensor of `dtype` from int64 values (wrapping for narrower integer types);
    /// floating-point and bool dtypes go through the Double variant.
    static func tensor(_ values: [Int64], as dtype: DType) -> Tensor {
        let shape = [values.count]
        switch dtype {
        case .int8: return Tensor(shape: shape, scalars: values.map { Int8(truncatingIfNeeded: $0) })
        case .uint8: return Tensor(shape: shape, scalars: values.map { UInt8(truncatingIfNeeded: $0) })
        case .int16: return Tensor(shape: shape, scalars: values.map { Int16(truncatingIfNeeded: $0) })
        case .uint16: return Tensor(shape: shape, scalars: values.map { UInt16(truncatingIfNeeded: $0) })
        case .int32: return Tensor(shape: shape, scalars: values.map { Int32(truncatingIfNeeded: $0) })
        case .uint32: return Tensor(shape: shape, scalars: values.map { UInt32(truncatingIfNeeded: $0) })
        case .int64: return Tensor(shape: shape, scalars: values)
        case .uint64: return Tensor(shape: shape, scalars: values.map { UInt64(bitPattern: $0) })
        default: return tensor(values.map { Double($0) }, as: dtype)
        }
    }

    /// Makes `output` the one-element `element` repeated to fill `shape`: an expand of the
    /// element, which `emit` folds when it fits the folding budget and otherwise leaves to run at
    /// inference time (so a declared shape never forces a giant allocation here).
    /// - Throws: `EdgeflowError.invalidModel` when the shape's byte count overflows.
    static func emitRepeated(_ element: Tensor, shape: [Int], output: String, _ ctx: ImportContext,
                             _ node: OnnxNode) throws {
        _ = try CheckedSize.byteCount(shape, element.dtype, "\(node.opType) node '\(node.displayName)' output",
                                      kind: .invalidModel)
        let scalar = ctx.addConstant(element.reshaped([]), hint: "\(node.displayName)/value")
        try ctx.emit(.expand, [scalar], ["shape": .ints(shape)], outputs: [output], from: node)
    }

    /// An element count computed as a Double (e.g. Range's ceil((limit - start) / delta)) for a
    /// constant the importer must generate, reserved in the import's folding budget.
    /// - Throws: `EdgeflowError.invalidModel` when the count is not a finite non-negative number
    ///   that fits in Int; `.unsupported` when the constant would exceed the folding budget.
    static func checkedCount(_ count: Double, _ ctx: ImportContext, _ node: OnnxNode, elementSize: Int) throws -> Int {
        let what = "\(node.opType) node '\(node.displayName)'"
        guard count >= 0 else {
            throw EdgeflowError(.invalidModel, "\(what) would create a constant of \(count) elements")
        }
        let exact = try CheckedSize.int(truncating: count, "\(what) element count", kind: .invalidModel)
        let bytes = exact.multipliedReportingOverflow(by: elementSize)
        guard !bytes.overflow, ctx.reserveGenerated(bytes.partialValue) else {
            throw EdgeflowError(.unsupported,
                "\(what) would create a constant of \(exact) elements, over the import's folding budget "
                    + "(\(ImportContext.foldLimitBytes >> 20) MiB per constant)",
                hint: "check the model's shapes and --input-shape values")
        }
        return exact
    }
}
