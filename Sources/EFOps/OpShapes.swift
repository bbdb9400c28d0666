// Output types of an op from its input types: the dispatch over op groups (rules in
// ShapeRules/<Group>Shapes.swift). Deploy side, so a loaded executable's steps are checked
// against their parameters as strictly as the IR's nodes are.

import EFCore

/// An op as the shape rules see it: its parameters and how many outputs it names.
public struct OpInstance: Sendable {
    public let params: OpParameters
    public let outputCount: Int
    public var op: OpType { params.op }

    public init(_ params: OpParameters, outputCount: Int) {
        self.params = params
        self.outputCount = outputCount
    }
}

/// Static shape and dtype inference of single ops.
public enum OpShapes {
    /// The output types of `op`, given the types of its inputs (nil for absent optional inputs).
    /// - Throws: `EdgeflowError.invalidModel` when the inputs do not fit the op, the op names
    ///   another number of outputs, or a byte count would not fit in `Int` (`TensorType.checkSize`).
    /// - Parameter outputNames: the outputs' value names, for messages (positions when empty).
    public static func infer(_ op: OpInstance, inputTypes: [TensorType?], outputNames: [String] = []) throws
        -> [TensorType] {
        for (index, type) in inputTypes.enumerated() { try type?.checkSize("input \(index)") }
        let types: [TensorType]
        switch op.op {
        case .unary, .binary, .where, .cast, .bitCast:
            types = try ElementwiseShapes.infer(op, inputTypes)
        case .matMul, .conv, .convTranspose, .pool:
            types = try LinearShapes.infer(op, inputTypes)
        case .reduce, .argReduce, .softmax, .logSoftmax, .layerNorm, .lrn, .instanceNorm, .cumSum, .cumProd,
             .topK, .det:
            types = try ReductionShapes.infer(op, inputTypes)
        case .reshape, .transpose, .expand, .concat, .slice, .pad, .gather, .gatherElements, .gatherND,
             .scatterElements, .scatterND, .tile, .depthToSpace, .spaceToDepth, .trilu, .oneHot:
            types = try MovementShapes.infer(op, inputTypes)
        case .resize:
            types = try ResizeShapes.infer(op, inputTypes)
        case .gridSample, .roiAlign, .deformConv:
            types = try SamplingShapes.infer(op, inputTypes)
        case .loop:
            types = try LoopShapes.infer(op, inputTypes)
        case .quantizeLinear, .dequantizeLinear, .dynamicQuantizeLinear, .qlinearConv, .qlinearMatMul,
             .matMulInteger, .convInteger:
            types = try QuantShapes.infer(op, inputTypes)
        case .quantizedConv, .quantizedMatMul, .fixedPointRequantize, .lookupSoftmax:
            types = try QuantizedShapes.infer(op, inputTypes)
        }
        guard types.count == op.outputCount else {
            throw EdgeflowError(.invalidModel,
                "\(op.op.rawValue) produces \(types.count) outputs but the node names \(op.outputCount)")
        }
        for (index, type) in types.enumerated() {
            try type.checkSize(index < outputNames.count ? "output '\(outputNames[index])'" : "output \(index)")
        }
        return types
    }

    /// The input type at `index`, or an error naming the missing input.
    public static func required(_ inputs: [TensorType?], _ index: Int, _ role: String) throws -> TensorType {
        guard index < inputs.count, let type = inputs[index] else {
            throw EdgeflowError(.invalidModel, "missing input \(index) (\(role))")
        }
        return type
    }
}
