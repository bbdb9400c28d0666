// Runs one op with the reference kernels: the dispatch over op groups. Deploy side, so the
// executable's fallback steps and the build side's interpreter share these evaluators; each
// group's evaluator lives in Evaluators/<Group>Evaluator.swift and calls EFKernels.

import EFCore
import EFKernels

/// Evaluates single ops on tensors.
public enum ReferenceEvaluator {
    /// Computes the outputs of one op from its input tensors (nil for absent optional inputs).
    /// - Parameter outputCount: how many outputs the node names (pool with indices, layerNorm
    ///   with statistics and topK have optional outputs).
    /// - Returns: `outputCount` tensors (or more), typed as the IR's shape inference predicts.
    /// - Throws: `EdgeflowError` when the inputs do not fit the parameters.
    public static func evaluate(_ parameters: OpParameters, _ inputs: [Tensor?], outputCount: Int) throws -> [Tensor] {
        let arguments = Arguments(inputs)
        switch parameters.op {
        case .unary, .binary, .where, .cast, .bitCast:
            return try ElementwiseEvaluator.evaluate(parameters, arguments)
        case .matMul, .conv, .convTranspose, .pool:
            return try LinearEvaluator.evaluate(parameters, arguments, outputCount: outputCount)
        case .reduce, .argReduce, .softmax, .logSoftmax, .layerNorm, .lrn, .instanceNorm, .cumSum, .cumProd,
             .topK, .det:
            return try ReductionEvaluator.evaluate(parameters, arguments, outputCount: outputCount)
        case .reshape, .transpose, .expand, .concat, .slice, .pad, .gather, .gatherElements, .gatherND,
             .scatterElements, .scatterND, .tile, .depthToSpace, .spaceToDepth, .trilu, .oneHot:
            return try MovementEvaluator.evaluate(parameters, arguments)
        case .resize:
            guard case .resize(let resize) = parameters else { return [] }
            return [try Kernels.resize(try arguments.required(0, "x"), resize)]
        case .gridSample, .roiAlign, .deformConv:
            return try SamplingEvaluator.evaluate(parameters, arguments)
        case .loop:
            guard case .loop(let loop) = parameters else { return [] }
            return try LoopEvaluator.evaluate(loop, arguments)
        case .quantizeLinear, .dequantizeLinear, .dynamicQuantizeLinear, .qlinearConv, .qlinearMatMul,
             .matMulInteger, .convInteger:
            return try QuantEvaluator.evaluate(parameters, arguments)
        case .quantizedConv, .quantizedMatMul, .fixedPointRequantize, .lookupSoftmax:
            return try QuantizedEvaluator.evaluate(parameters, arguments)
        }
    }
}

/// An op's input tensors by position.
struct Arguments {
    let tensors: [Tensor?]
    init(_ tensors: [Tensor?]) { self.tensors = tensors }

    var count: Int { tensors.count }

    /// The input at `index`, or an error naming the missing input.
    func required(_ index: Int, _ role: String) throws -> Tensor {
        guard index < tensors.count, let tensor = tensors[index] else {
            throw EdgeflowError(.invalidModel, "missing input \(index) (\(role))")
        }
        return tensor
    }

    /// The input at `index`, nil when absent.
    func optional(_ index: Int) -> Tensor? { index < tensors.count ? tensors[index] : nil }
}
