// Evaluators for the Linear op group: node parameters → kernel parameter structs → kernels.

import EFCore
import EFIR
import EFKernels

enum LinearEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        let attributes = node.attributes
        switch node.op {
        case .matMul:
            let product = try Kernels.matMul(try NodeEvaluator.required(inputs, 0, "a"),
                                             try NodeEvaluator.required(inputs, 1, "b"))
            return [try fusedEpilogue(product, adding: [optional(inputs, 2)], attributes)]
        case .conv:
            let y = try channelsFirst(try NodeEvaluator.required(inputs, 0, "x"), attributes) { x in
                try Kernels.conv(x, weight: try NodeEvaluator.required(inputs, 1, "weight"),
                                 bias: optional(inputs, 2), convParameters(attributes))
            }
            return [try fusedEpilogue(y, adding: [optional(inputs, 3)], attributes)]
        case .convTranspose:
            let parameters = ConvTransposeParameters(convParameters(attributes),
                                                     outputPadding: attributes.ints("outputPadding") ?? [])
            return [try channelsFirst(try NodeEvaluator.required(inputs, 0, "x"), attributes) { x in
                try Kernels.convTranspose(x, weight: try NodeEvaluator.required(inputs, 1, "weight"),
                                          bias: optional(inputs, 2), parameters)
            }]
        case .pool:
            let parameters = try poolParameters(attributes)
            let x = try NodeEvaluator.required(inputs, 0, "x")
            if attributes.int("channelsLast", default: 0) != 0 {
                return [try channelsFirst(x, attributes) { try Kernels.pool($0, parameters) }]
            }
            if parameters.kind == .max && node.outputs.count == 2 {
                let result = try Kernels.maxPoolWithIndices(x, parameters,
                                                            columnMajor: attributes.int("storageOrder", default: 0) != 0)
                return [result.values, result.indices]
            }
            return [try Kernels.pool(x, parameters)]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a linear op")
        }
    }

    /// Runs an NCHW kernel on a channels-last node (`channelsLast` = 1: x and y are
    /// [N, spatial..., C]) by transposing around it; other nodes pass straight through.
    static func channelsFirst(_ x: Tensor, _ attributes: Attributes, _ kernel: (Tensor) throws -> Tensor) throws -> Tensor {
        guard attributes.int("channelsLast", default: 0) != 0 else { return try kernel(x) }
        let rank = x.rank
        let toFirst = [0, rank - 1] + Array(1..<(rank - 1)), toLast = [0] + Array(2..<rank) + [1]
        return try Kernels.transpose(try kernel(try Kernels.transpose(x, perm: toFirst)), perm: toLast)
    }

    /// The fused tail of conv and matMul: adds each present addend (broadcast), then applies
    /// the `activation` param's unary fn with `activationAlpha`/`activationBeta`.
    static func fusedEpilogue(_ y: Tensor, adding addends: [Tensor?], _ attributes: Attributes) throws -> Tensor {
        var result = y
        for case let addend? in addends { result = try Kernels.binary(.add, result, addend) }
        guard let name = attributes.string("activation") else { return result }
        guard let fn = UnaryFunction(rawValue: name) else {
            throw EdgeflowError(.invalidModel, "fused activation '\(name)' is not a unary fn")
        }
        return try Kernels.unary(fn, result, UnaryParameters(alpha: attributes.float("activationAlpha", default: 0),
                                                             beta: attributes.float("activationBeta", default: 0)))
    }

    /// The parameters of a `pool` node.
    static func poolParameters(_ attributes: Attributes) throws -> PoolParameters {
        let kindName = try attributes.requiredString("kind")
        guard let kind = PoolKind(rawValue: kindName) else {
            throw EdgeflowError(.invalidModel, "pool kind '\(kindName)' is not max, avg or lp")
        }
        return PoolParameters(kind: kind, kernel: try attributes.requiredInts("kernel"),
                              strides: attributes.ints("strides") ?? [],
                              dilations: attributes.ints("dilations") ?? [],
                              pads: attributes.ints("pads") ?? [],
                              ceilMode: attributes.int("ceilMode", default: 0) != 0,
                              countIncludePad: attributes.int("countIncludePad", default: 0) != 0,
                              p: Double(attributes.float("p", default: 2)))
    }

    /// The window parameters shared by conv, convTranspose, convInteger and qlinearConv.
    static func convParameters(_ attributes: Attributes) -> ConvParameters {
        ConvParameters(strides: attributes.ints("strides") ?? [], dilations: attributes.ints("dilations") ?? [],
                       pads: attributes.ints("pads") ?? [], group: attributes.int("group", default: 1))
    }

    /// The input at `index`, nil when absent.
    static func optional(_ inputs: [Tensor?], _ index: Int) -> Tensor? {
        index < inputs.count ? inputs[index] : nil
    }
}
