// ONNX importers for the Reduction op group: Reduce*, ArgMax/ArgMin, global pools, Softmax,
// LogSoftmax and Hardmax, CumSum and TopK. Normalization ops are in NormalizationImporters.swift.

import EFCore
import EFIR

enum ReductionImporters {
    static let table: [String: OpImporter] = {
        var table: [String: OpImporter] = [
            "ReduceSum": reduce("sum", axesInputSince: 13), "ReduceMean": reduce("mean", axesInputSince: 18),
            "ReduceMax": reduce("max", axesInputSince: 18), "ReduceMin": reduce("min", axesInputSince: 18),
            "ReduceProd": reduce("prod", axesInputSince: 18), "ReduceL1": reduce("l1", axesInputSince: 18),
            "ReduceL2": reduce("l2", axesInputSince: 18), "ReduceLogSum": reduce("logSum", axesInputSince: 18),
            "ReduceLogSumExp": reduce("logSumExp", axesInputSince: 18),
            "ReduceSumSquare": reduce("sumSquare", axesInputSince: 18),
            "ArgMax": argReduce("max"), "ArgMin": argReduce("min"),
            "GlobalAveragePool": globalPool("mean"), "GlobalMaxPool": globalPool("max"),
            "Softmax": softmax(.softmax), "LogSoftmax": softmax(.logSoftmax), "Hardmax": importHardmax,
            "CumSum": importCumSum, "TopK": importTopK,
        ]
        table.merge(NormalizationImporters.table) { _, _ in preconditionFailure("an ONNX op is registered twice") }
        return table
    }()

    /// Reduce* with axes from the attribute (before `axesInputSince`) or the optional constant
    /// input; empty axes reduce everything unless noop_with_empty_axes makes it a rename.
    static func reduce(_ fn: String, axesInputSince: Int) -> OpImporter {
        { node, ctx in
            let x = try ctx.requiredInput(node, 0, "data")
            let rank = try ctx.type(x).shape.count
            var axes: [Int] = []
            if ctx.opset >= axesInputSince {
                if let tensor = try ctx.constantInput(node, 1, "axes") {
                    axes = try LoweringSupport.intValues(tensor, node, "axes")
                }
            } else {
                axes = try node.attributeInts("axes") ?? []
            }
            let out = try ElementwiseImporters.output(node)
            let noop = try (node.attributeInt("noop_with_empty_axes") ?? 0) != 0
            if axes.isEmpty && noop {
                ctx.alias(out, to: x)
                return
            }
            let normalized = try Set(axes.map { try LoweringSupport.axis($0, rank: rank, node) }).sorted()
            let attributes: Attributes = [
                "fn": .string(fn), "axes": .ints(normalized.isEmpty ? Array(0..<rank) : normalized),
                "keepDims": .int(try node.attributeInt("keepdims") ?? 1),
            ]
            try ctx.emit(.reduce, [x], attributes, outputs: [out], from: node)
        }
    }

    static func argReduce(_ fn: String) -> OpImporter {
        { node, ctx in
            let x = try ctx.requiredInput(node, 0, "data")
            let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? 0,
                rank: try ctx.type(x).shape.count, node)
            let attributes: Attributes = [
                "fn": .string(fn), "axis": .int(axis), "keepDims": .int(try node.attributeInt("keepdims") ?? 1),
                "selectLastIndex": .int(try node.attributeInt("select_last_index") ?? 0),
            ]
            try ctx.emit(.argReduce, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
        }
    }

    /// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes keeping dims.
    static func globalPool(_ fn: String) -> OpImporter {
        { node, ctx in
            let x = try ctx.requiredInput(node, 0, "X")
            let rank = try ctx.type(x).shape.count
            guard rank >= 3 else { throw LoweringSupport.invalid(node, "needs an [N, C, spatial...] input") }
            let attributes: Attributes = ["fn": .string(fn), "axes": .ints(Array(2..<rank)), "keepDims": .int(1)]
            try ctx.emit(.reduce, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
        }
    }

    /// The axis and, before opset 13, the 2-D shape the input is coerced to
    /// ([prod(dims before axis), prod(dims from axis)]); nil when no reshape is needed.
    static func softmaxAxis(_ node: OnnxNode, _ ctx: ImportContext, _ shape: [Int]) throws -> (axis: Int,
        coerced: [Int]?) {
        if ctx.opset >= 13 {
            return (try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: shape.count, node), nil)
        }
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? 1, rank: shape.count, node)
        if axis == shape.count - 1 { return (axis, nil) }
        let what = "\(node.opType) node '\(node.displayName)' input \(shape.shapeDescription)"
        return (1, [try CheckedSize.product(Array(shape[..<axis]), what, kind: .invalidModel),
                    try CheckedSize.product(Array(shape[axis...]), what, kind: .invalidModel)])
    }

    static func softmax(_ op: OpType) -> OpImporter {
        { node, ctx in
            let x = try ctx.requiredInput(node, 0, "input")
            let shape = try ctx.type(x).shape
            let out = try ElementwiseImporters.output(node)
            let (axis, coerced) = try softmaxAxis(node, ctx, shape)
            guard let coerced else {
                try ctx.emit(op, [x], ["axis": .int(axis)], outputs: [out], from: node)
                return
            }
            let flat = try LoweringSupport.reshape(x, to: coerced, ctx, node, hint: "flat")
            let y = try ctx.emit(op, [flat], ["axis": .int(axis)], from: node, hint: "rows")
            _ = try LoweringSupport.reshape(y, to: shape, ctx, node, hint: "shaped", output: out)
        }
    }

    /// Hardmax → argMax along the axis, then a one-hot of the same dtype along that axis.
    private static func importHardmax(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let type = try ctx.type(x)
        let out = try ElementwiseImporters.output(node)
        let (axis, coerced) = try softmaxAxis(node, ctx, type.shape)
        let rows = try coerced.map { try LoweringSupport.reshape(x, to: $0, ctx, node, hint: "flat") } ?? x
        let rowShape = coerced ?? type.shape
        let winner = try ctx.emit(.argReduce, [rows], ["fn": .string("max"), "axis": .int(axis), "keepDims": .int(0),
                                                        "selectLastIndex": .int(0)], from: node, hint: "argmax")
        let values = ctx.addConstant(try LoweringSupport.converted([0, 1], type.dtype, shape: [2]),
                                     hint: "\(node.displayName)/values")
        let attributes: Attributes = ["depth": .int(rowShape[axis]), "axis": .int(axis)]
        if coerced == nil {
            try ctx.emit(.oneHot, [winner, values], attributes, outputs: [out], from: node)
        } else {
            let hot = try ctx.emit(.oneHot, [winner, values], attributes, from: node, hint: "onehot")
            _ = try LoweringSupport.reshape(hot, to: type.shape, ctx, node, hint: "shaped", output: out)
        }
    }

    private static func importCumSum(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x")
        let axisValues = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "axis"), node, "axis")
        guard axisValues.count == 1 else { throw LoweringSupport.invalid(node, "axis must be a single value") }
        let axis = try LoweringSupport.axis(axisValues[0], rank: try ctx.type(x).shape.count, node)
        let attributes: Attributes = [
            "axis": .int(axis), "exclusive": .int(try node.attributeInt("exclusive") ?? 0),
            "reverse": .int(try node.attributeInt("reverse") ?? 0),
        ]
        try ctx.emit(.cumSum, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    private static func importTopK(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let k: Int
        if ctx.opset >= 10 {
            let values = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "K"), node, "K")
            guard values.count == 1 else { throw LoweringSupport.invalid(node, "K must hold one value") }
            k = values[0]
        } else {
            k = try LoweringSupport.requiredInt(node, "k")
        }
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: try ctx.type(x).shape.count,
            node)
        let outputs = (0..<2).map { $0 < node.outputs.count && !node.outputs[$0].isEmpty
            ? node.outputs[$0] : ctx.freshName("\(node.displayName)/unused\($0)") }
        let attributes: Attributes = ["k": .int(k), "axis": .int(axis),
            "largest": .int(try node.attributeInt("largest") ?? 1),
                                      "sorted": .int(try node.attributeInt("sorted") ?? 1)]
        try ctx.emit(.topK, [x], attributes, outputs: outputs, from: node)
    }
}
