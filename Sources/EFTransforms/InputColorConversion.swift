// YUV input conversions of a model script (the Dataflow Compiler's input_conversion): the image
// input takes YUV pixels, or an NV12/NV21 frame, and the graph converts them to the RGB (or BGR)
// values the model was trained on, with the DFC's own coefficients (a 1×1 conv: rows Y, U, V,
// columns the output channels, plus a bias; BT.601 and BT.709 limited range, full range).
// NV12 is the camera layout: H rows of Y, then H/2 rows of interleaved U, V at half resolution,
// one [N, 3H/2, W] uint8 array; each chroma sample covers a 2×2 block (nearest, as OpenCV's
// COLOR_YUV2RGB_NV12). The conversion runs on NHWC float values: `chain` gives the steps,
// InputNormalization puts them after its cast, `prepend` puts them in front of a float model.

import EFCore
import EFIR
import EFKernels

/// A YUV → RGB/BGR conversion and the layout of the YUV input.
public struct YUVConversion: Equatable, Sendable {
    /// How the YUV values arrive.
    public enum Layout: Equatable, Sendable {
        /// Three values per pixel, Y, U, V (NHWC bytes with normalization; NCHW planes without).
        case interleaved
        /// An NV12 (U first) or NV21 (V first) frame: [N, 3H/2, W] uint8.
        case nv12, nv21
    }

    /// The colour matrices of the Dataflow Compiler's table.
    public enum Standard: Equatable, Sendable { case bt601, bt709, fullRange }

    public var layout: Layout
    /// Row-major 3 × 3: rows Y, U, V; columns the model's channels in order.
    public var matrix: [Float]
    /// One per output channel.
    public var bias: [Float]
    /// For each of the model's channels, its index in R, G, B.
    public var channelOrder: [Int]

    /// - Parameter bgr: the model takes B, G, R (the table's `…_to_bgr` rows).
    public init(_ standard: Standard, bgr: Bool = false, layout: Layout = .interleaved) {
        let (rgb, offsets): ([Float], [Float]) = switch standard {
        case .bt601: ([1.164, 1.164, 1.164, 0, -0.392, 2.017, 1.596, -0.813, 0], [-222.912, 135.616, -276.8])
        case .bt709: ([1.164, 1.164, 1.164, 0, -0.213, 2.112, 1.793, -0.533, 0], [-248.128, 76.864, -288.96])
        case .fullRange: ([1, 1, 1, 0, -0.343, 1.765, 1.4, -0.711, 0], [-179.2, 134.912, -225.92])
        }
        let columns = bgr ? [2, 1, 0] : [0, 1, 2]
        self.layout = layout
        channelOrder = columns
        matrix = (0..<3).flatMap { row in columns.map { rgb[row * 3 + $0] } }
        bias = columns.map { offsets[$0] }
    }

    /// The shape of the input the conversion takes for a model image of `batch` × `height` ×
    /// `width`: [N, H, W, 3] interleaved, [N, 3H/2, W] for NV12/NV21 (H and W even).
    /// - Throws: `EdgeflowError.invalidArgument` for an odd side with NV12/NV21.
    public func inputShape(batch: Int, height: Int, width: Int) throws -> [Int] {
        guard layout != .interleaved else { return [batch, height, width, 3] }
        guard height % 2 == 0, width % 2 == 0 else {
            throw EdgeflowError(.invalidArgument, "an NV12/NV21 input needs an even height and width; the model "
                                    + "takes \(height) × \(width)", hint: "resize the input to even sides first")
        }
        return [batch, height * 3 / 2, width]
    }
}

/// Builds the conversion's steps into a graph.
public enum InputColorConversion {
    /// The original name of every node an input conversion adds (the quantizer keeps its
    /// products in float).
    public static let originalName = "input conversion"

    /// Steps from `source` (float32: [N, H, W, 3] interleaved YUV, or an [N, 3H/2, W] frame) to
    /// `result` (float32 [N, H, W, 3] in the model's channel order), prefixed `input|`.
    static func chain(_ conversion: YUVConversion, from source: String, to result: String, input: String,
                      batch: Int, height: Int, width: Int, into graph: inout Graph) -> [Node] {
        var nodes: [Node] = []
        func constant(_ name: String, _ tensor: Tensor) -> String {
            graph.weights["\(input)|\(name)"] = tensor
            graph.types["\(input)|\(name)"] = TensorType(tensor.dtype, tensor.shape)
            return "\(input)|\(name)"
        }
        func step(_ params: OpParameters, _ inputs: [String], _ name: String) -> String {
            let output = name == result ? result : "\(input)|\(name)"
            nodes.append(Node(name: output, params, inputs: inputs, outputs: [output],
                              originalNames: [originalName]))
            return output
        }
        var yuv = source
        if conversion.layout != .interleaved {
            // Rows 0..<H are Y; the chroma rows hold U, V pairs, each pair for a 2 × 2 block.
            let doubled = { (n: Int) in Tensor(shape: [2 * n], scalars: (0..<2 * n).map { Int64($0 / 2) }) }
            let lumaRows = constant("luma-rows", Tensor(shape: [height], scalars: (0..<height).map(Int64.init)))
            let chromaRows = constant("chroma-rows", Tensor(shape: [height / 2],
                                                            scalars: (0..<height / 2).map { Int64(height + $0) }))
            let luma = step(.reshape(shape: [batch, height, width, 1]), [step(.gather(axis: 1), [source, lumaRows],
                                                                              "luma")], "luma-nhwc")
            let pairs = step(.reshape(shape: [batch, height / 2, width / 2, 2]),
                             [step(.gather(axis: 1), [source, chromaRows], "chroma")], "chroma-pairs")
            let tall = step(.gather(axis: 1), [pairs, constant("chroma-up-rows", doubled(height / 2))], "chroma-tall")
            var chroma = step(.gather(axis: 2), [tall, constant("chroma-up-columns", doubled(width / 2))],
                              "chroma-full")
            if conversion.layout == .nv21 {   // V first: put U first
                let order = constant("uv-order", Tensor(shape: [2], scalars: [Int64(1), 0]))
                chroma = step(.gather(axis: 3), [chroma, order], "chroma-uv")
            }
            yuv = step(.concat(axis: 3), [luma, chroma], "yuv")
        }
        let product = step(.matMul(MatMulOp()), [yuv, constant("yuv-matrix", Tensor(shape: [3, 3],
                                                                                     scalars: conversion.matrix))],
                           "yuv-product")
        _ = step(.binary(.add), [product, constant("yuv-bias", Tensor(shape: [3], scalars: conversion.bias))], result)
        return nodes
    }

    /// `source` taking YUV instead of its single float32 [N, 3, H, W] image input (values in
    /// 0…255 units, as the model's RGB or BGR were): interleaved YUV as float32 planes of the same
    /// shape, or an NV12/NV21 frame, uint8 [N, 3H/2, W]. The model gets the converted float values.
    /// - Throws: `EdgeflowError.invalidArgument` for another input signature or an odd side with
    ///   NV12/NV21.
    public static func prepend(_ source: Graph, _ conversion: YUVConversion) throws -> Graph {
        guard source.inputs.count == 1, let input = source.inputs.first, let type = source.types[input],
              type.dtype == .float32, type.shape.count == 4, type.shape[1] == 3, !source.outputs.contains(input) else {
            throw EdgeflowError(.invalidArgument, "a YUV input_conversion needs one float32 [N, 3, H, W] image "
                                    + "input; this model has \(source.inputSignature)",
                                hint: "convert the pixels to RGB before inference instead")
        }
        let (batch, height, width) = (type.shape[0], type.shape[2], type.shape[3])
        var graph = source
        let converted = "\(input)|converted"
        graph.redirectReaders(of: input, to: converted)
        var prefix: [Node] = []
        let start: String
        if conversion.layout == .interleaved {
            prefix.append(Node(name: "\(input)|yuv-nhwc", .transpose(perm: [0, 2, 3, 1]), inputs: [input],
                               outputs: ["\(input)|yuv-nhwc"], originalNames: [originalName]))
            start = "\(input)|yuv-nhwc"
        } else {
            graph.types[input] = TensorType(.uint8, try conversion.inputShape(batch: batch, height: height,
                                                                              width: width))
            prefix.append(Node(name: "\(input)|float", .cast(to: .float32), inputs: [input],
                               outputs: ["\(input)|float"], originalNames: [originalName]))
            start = "\(input)|float"
        }
        prefix += chain(conversion, from: start, to: "\(input)|rgb-nhwc", input: input, batch: batch,
                        height: height, width: width, into: &graph)
        prefix.append(Node(name: converted, .transpose(perm: [0, 3, 1, 2]), inputs: ["\(input)|rgb-nhwc"],
                           outputs: [converted], originalNames: [originalName]))
        try graph.prepend(prefix)
        return graph
    }
}
