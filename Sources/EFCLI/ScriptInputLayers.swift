// The input layers a model script puts in front of a native graph, as the Dataflow Compiler
// does: the input resize, normalization folded into the model (the executable then takes uint8
// pixels) and input_conversion's RGB↔BGR swap. YUV/NV12 conversions are recorded in the archive
// but not applied; the quantization notes say so.

import EFCore
import EFIR
import EFQuantize
import EFTransforms

enum ScriptInputLayers {
    /// Whether `script` changes the native graph's input.
    static func change(_ script: ModelScript) -> Bool {
        !script.normalizations.isEmpty || !swaps(script).isEmpty || !script.resizes.isEmpty
    }

    /// The script's rgb_to_bgr / bgr_to_rgb rules.
    private static func swaps(_ script: ModelScript) -> [InputConversionRule] {
        script.inputConversions.filter { $0.conversion == .rgbToBgr || $0.conversion == .bgrToRgb }
    }

    /// `graph` (native) with the script's resize, normalization and channel swap in front (the
    /// resize runs after the other two: both are per-channel affine maps or a reordering, which a
    /// per-channel resize commutes with).
    /// - Throws: `EdgeflowError.invalidArgument` for several rules of a kind, a rule naming another
    ///   input or layer, a normalization of other than three channels, or an input that is not one float32
    ///   [1, 3, H, W] image (with normalization) or [N, 3, H, W] (a swap alone).
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
        let swaps = swaps(script)
        guard swaps.count <= 1, swaps.allSatisfy({ $0.inputLayer == nil || $0.inputLayer == graph.inputs.first }) else {
            throw EdgeflowError(.invalidArgument, "\(script.fileName): Edgeflow applies one input_conversion "
                + "(rgb_to_bgr or bgr_to_rgb) to a single-input model's input; line "
                + swaps.map { String($0.line) }.joined(separator: ", "),
                hint: "keep one input_conversion line")
        }
        if script.normalizations.isEmpty {
            return swaps.isEmpty ? graph : try InputNormalization.prependChannelReversal(graph)
        }
        guard script.normalizations.count == 1, let rule = script.normalizations.first,
              rule.mean.count == 3, rule.inputLayer == nil || rule.inputLayer == graph.inputs.first else {
            throw EdgeflowError(.invalidArgument, "\(script.fileName): Edgeflow folds one three-channel "
                + "normalization into a single-input model's first layer",
                hint: "give one normalization([r, g, b], [r, g, b]) line")
        }
        // Mean and std are in the model's channel order, after the swap (as in the Dataflow Compiler).
        return try InputNormalization.prepend(graph, mean: rule.mean.map { $0 / 255 }, std: rule.std.map { $0 / 255 },
                                              reverseChannels: !swaps.isEmpty)
    }
}
