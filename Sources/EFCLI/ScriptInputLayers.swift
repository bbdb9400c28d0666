// The input layers a model script puts in front of a native graph, as the Dataflow Compiler
// does: the input resize, normalization folded into the model (the executable then takes uint8
// pixels) and input_conversion: the RGB↔BGR swap, or a YUV colour conversion (YUV pixels or an
// NV12/NV21 frame in, the model's channels out; EFTransforms' InputColorConversion).

import EFCore
import EFIR
import EFQuantize
import EFTransforms

enum ScriptInputLayers {
    /// Whether `script` changes the native graph's input.
    static func change(_ script: ModelScript) -> Bool {
        !script.normalizations.isEmpty || !script.inputConversions.isEmpty || !script.resizes.isEmpty
    }

    /// The YUV conversion `script` puts in front of the input (its input_conversion), if any.
    static func yuv(of script: ModelScript?) -> YUVConversion? {
        script?.inputConversions.first.flatMap { yuv($0.conversion) }
    }

    /// The colour conversion of a YUV input_conversion; nil for a channel swap.
    static func yuv(_ conversion: InputConversion) -> YUVConversion? {
        switch conversion {
        case .rgbToBgr, .bgrToRgb: nil
        case .yuvToRgb, .yuv601ToRgb: YUVConversion(.bt601)
        case .yuv709ToRgb: YUVConversion(.bt709)
        case .yuvFullRangeToRgb: YUVConversion(.fullRange)
        case .yuvToBgr, .yuv601ToBgr: YUVConversion(.bt601, bgr: true)
        case .yuv709ToBgr: YUVConversion(.bt709, bgr: true)
        case .yuvFullRangeToBgr: YUVConversion(.fullRange, bgr: true)
        case .nv12ToRgb: YUVConversion(.bt601, layout: .nv12)
        case .nv21ToRgb: YUVConversion(.bt601, layout: .nv21)
        }
    }

    /// `graph` (native) with the script's resize, normalization and input conversion in front (the
    /// resize runs after the others: they are per-pixel affine maps or a reordering, which a
    /// per-channel resize commutes with; an NV12/NV21 frame then has the resize input's size).
    /// - Throws: `EdgeflowError.invalidArgument` for several rules of a kind, a rule naming another
    ///   input or layer, a normalization of other than three channels, an input that is not one float32
    ///   [1, 3, H, W] image (with normalization) or [N, 3, H, W] (a conversion alone), or an NV12/NV21
    ///   frame of odd sides.
    static func apply(_ script: ModelScript, to graph: Graph) throws -> Graph {
        var graph = graph
        if !script.resizes.isEmpty {
            guard script.resizes.count == 1, let rule = script.resizes.first,
                  rule.layer == nil || rule.layer == graph.inputs.first else {
                throw EdgeflowError(.invalidArgument, "\(script.fileName): Edgeflow resizes a single-input model's "
                    + "input, once; line " + script.resizes.map { String($0.line) }.joined(separator: ", "),
                    hint: "keep one resize(resize_shapes=[H, W]) line without a layer name")
            }
            graph = try InputResize.prepend(graph, height: rule.height, width: rule.width,
                                            bilinear: rule.method == .bilinear)
        }
        let conversions = script.inputConversions
        guard conversions.count <= 1,
              conversions.allSatisfy({ $0.inputLayer == nil || $0.inputLayer == graph.inputs.first }) else {
            let lines = conversions.map { String($0.line) }.joined(separator: ", ")
            throw EdgeflowError(.invalidArgument, "\(script.fileName): Edgeflow applies one input_conversion "
                + "to a single-input model's input; line \(lines)",
                hint: "keep one input_conversion line")
        }
        let swap = conversions.first?.conversion.isChannelSwap == true
        let yuv = Self.yuv(of: script)
        if script.normalizations.isEmpty {
            if swap { return try InputNormalization.prependChannelReversal(graph) }
            return try yuv.map { try InputColorConversion.prepend(graph, $0) } ?? graph
        }
        guard script.normalizations.count == 1, let rule = script.normalizations.first,
              rule.mean.count == 3, rule.inputLayer == nil || rule.inputLayer == graph.inputs.first else {
            throw EdgeflowError(.invalidArgument, "\(script.fileName): Edgeflow folds one three-channel "
                + "normalization into a single-input model's first layer",
                hint: "give one normalization([r, g, b], [r, g, b]) line")
        }
        // Mean and std are in the model's channel order, after the swap (as in the Dataflow Compiler).
        return try InputNormalization.prepend(graph, mean: rule.mean.map { $0 / 255 }, std: rule.std.map { $0 / 255 },
                                              reverseChannels: swap, yuv: yuv)
    }
}
