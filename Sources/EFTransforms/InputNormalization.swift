// Normalization inside the model (what Hailo's HEFs do): the single image input, float32
// [1, 3, H, W] (or, as TFLite's float models, [1, H, W, 3]) normalized as (x/255 − mean)/std,
// becomes the resized bytes, uint8 [1, H, W, 3]; the graph itself casts, reorders channels when
// the model wants BGR, transposes to NCHW (for a channels-first input) and normalizes. The fp
// optimization then folds the affine into the first conv where it can. A model script's
// input_conversion without normalization only reverses the channels; a YUV one
// (InputColorConversion) converts right after the cast.

import EFCore
import EFIR
import EFKernels

/// Prepends the input normalization to a graph.
public enum InputNormalization {
    /// - Parameters:
    ///   - mean, std: per channel in 0…1 units, R, G, B order (three each, std non-zero).
    ///   - reverseChannels: the model takes B, G, R.
    ///   - yuv: the input takes YUV bytes ([1, H, W, 3], or an NV12/NV21 frame [1, 3H/2, W])
    ///     converted to the model's channels before the normalization (InputColorConversion).
    /// - Throws: `EdgeflowError.invalidArgument` when the graph does not have exactly one
    ///   float32 [1, 3, H, W] or [1, H, W, 3] input, or for an NV12/NV21 frame of odd sides.
    public static func prepend(_ source: Graph, mean: [Double], std: [Double], reverseChannels: Bool,
                               yuv: YUVConversion? = nil) throws -> Graph {
        guard source.inputs.count == 1, let input = source.inputs.first, let type = source.types[input],
              type.dtype == .float32, type.shape.count == 4, type.shape[0] == 1,
              type.shape[1] == 3 || type.shape[3] == 3,
              mean.count == 3, std.count == 3, !std.contains(0), !source.outputs.contains(input) else {
            throw EdgeflowError(.invalidArgument,
                "normalization inside the model needs one float32 [1, 3, H, W] (or [1, H, W, 3]) image input; "
                    + "this model has " + source.inputSignature,
                hint: "compile with --recipe alone; the runtime then normalizes outside the model")
        }
        // A channels-last input (TFLite's float models) keeps its layout: no transpose.
        let channelsLast = type.shape[1] != 3
        let (height, width) = channelsLast ? (type.shape[1], type.shape[2]) : (type.shape[2], type.shape[3])
        var graph = source
        let normalized = "\(input)|normalized"
        graph.redirectReaders(of: input, to: normalized)
        graph.types[input] = TensorType(.uint8, try yuv?.inputShape(batch: 1, height: height, width: width)
                                            ?? [1, height, width, 3])
        let perChannel = channelsLast ? [1, 1, 1, 3] : [1, 3, 1, 1]
        graph.weights["\(input)|mean255"] = Tensor(shape: perChannel, scalars: mean.map { Float($0 * 255) })
        graph.weights["\(input)|inverse-std255"] = Tensor(shape: perChannel, scalars: std.map { Float(1 / ($0 * 255)) })
        graph.types["\(input)|mean255"] = TensorType(.float32, perChannel)
        graph.types["\(input)|inverse-std255"] = TensorType(.float32, perChannel)
        var chain: [(OpParameters, [String], String)] = [(.cast(to: .float32), [input], "\(input)|float")]
        var conversion: [Node] = []
        if let yuv {
            conversion = InputColorConversion.chain(yuv, from: "\(input)|float", to: "\(input)|converted",
                                                    input: input, batch: 1, height: height, width: width,
                                                    into: &graph)
        }
        if reverseChannels {
            graph.weights["\(input)|bgr"] = Tensor(shape: [3], scalars: [Int64(2), 1, 0])
            graph.types["\(input)|bgr"] = TensorType(.int64, [3])
            chain.append((.gather(axis: 3), ["\(input)|float", "\(input)|bgr"], "\(input)|reordered"))
        }
        if !channelsLast { chain.append((.transpose(perm: [0, 3, 1, 2]), [chain.last!.2], "\(input)|nchw")) }
        chain += [(.binary(.sub), [chain.last!.2, "\(input)|mean255"], "\(input)|centered"),
                  (.binary(.mul), ["\(input)|centered", "\(input)|inverse-std255"], normalized)]
        var nodes = chain.map { params, inputs, output in
            Node(name: output, params, inputs: inputs, outputs: [output], originalNames: ["input normalization"])
        }
        if !conversion.isEmpty {   // after the cast; the next step then reads the converted values
            nodes[1].inputs[0] = "\(input)|converted"
            nodes.insert(contentsOf: conversion, at: 1)
        }
        try graph.prepend(nodes)
        return graph
    }

    /// `source` taking its single float32 [N, 3, H, W] image input with the channels in the other
    /// order (RGB for a BGR model and the reverse): a Gather on axis 1 in front.
    /// - Throws: `EdgeflowError.invalidArgument` for another input signature.
    public static func prependChannelReversal(_ source: Graph) throws -> Graph {
        guard source.inputs.count == 1, let input = source.inputs.first, let type = source.types[input],
              type.dtype == .float32, type.shape.count == 4, type.shape[1] == 3, !source.outputs.contains(input) else {
            throw EdgeflowError(.invalidArgument,
                "input_conversion needs one float32 [N, 3, H, W] image input; this model has "
                    + source.inputSignature,
                hint: "reorder the channels before inference instead")
        }
        var graph = source
        let reordered = "\(input)|reordered"
        graph.redirectReaders(of: input, to: reordered)
        graph.weights["\(input)|reversed-channels"] = Tensor(shape: [3], scalars: [Int64(2), 1, 0])
        graph.types["\(input)|reversed-channels"] = TensorType(.int64, [3])
        try graph.prepend([Node(name: reordered, .gather(axis: 1), inputs: [input, "\(input)|reversed-channels"],
                                outputs: [reordered], originalNames: [InputColorConversion.originalName])])
        return graph
    }
}

extension Graph {
    /// `prefix` in front of the nodes, each output typed by shape inference in order, then the
    /// whole graph verified (the input layers' common last step).
    mutating func prepend(_ prefix: [Node]) throws {
        for node in prefix {
            types[node.outputs[0]] = try ShapeInference.infer(node, inputTypes: node.inputs.map { types[$0] })[0]
        }
        nodes = prefix + nodes
        try Verifier.verify(self)
    }

    /// Every node that reads `value` reads `replacement` instead (graph inputs and outputs stay).
    mutating func redirectReaders(of value: String, to replacement: String) {
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map { $0 == value ? replacement : $0 }
        }
    }

    /// "name type, name type" of the graph inputs, for errors about them.
    var inputSignature: String {
        inputs.map { "\($0) \(types[$0].map(\.description) ?? "?")" }.joined(separator: ", ")
    }
}
