// A model script's resize (the Dataflow Compiler's input resize): the single image input, float32
// [N, C, h, w], becomes [N, C, H, W] of the script's size and a Resize in front of the model
// brings it to h × w. Bilinear uses half-pixel centres (OpenCV's INTER_LINEAR, PyTorch's
// align_corners=False); nearest uses the asymmetric transform with floor (OpenCV's INTER_NEAREST).

import EFCore
import EFIR
import EFKernels

/// Prepends an input resize to a graph.
public enum InputResize {
    /// - Parameters:
    ///   - height, width: the size the graph takes from now on (each 1…16,384).
    ///   - bilinear: bilinear, else nearest neighbour.
    /// - Throws: `EdgeflowError.invalidArgument` when the graph does not have exactly one float32
    ///   [N, C, h, w] input, or a side is out of range.
    public static func prepend(_ source: Graph, height: Int, width: Int, bilinear: Bool) throws -> Graph {
        guard source.inputs.count == 1, let input = source.inputs.first, let type = source.types[input],
              type.dtype == .float32, type.shape.count == 4, !source.outputs.contains(input) else {
            throw EdgeflowError(.invalidArgument,
                "resize needs one float32 [N, C, H, W] image input; this model has "
                    + source.inputSignature,
                hint: "resize the images before inference instead")
        }
        guard (1...16_384).contains(height), (1...16_384).contains(width) else {
            throw EdgeflowError(.invalidArgument, "resize sides must be in 1…16384, got \(height) × \(width)")
        }
        var graph = source
        let resized = "\(input)|resized"
        graph.redirectReaders(of: input, to: resized)
        graph.types[input] = TensorType(.float32, [type.shape[0], type.shape[1], height, width])
        let parameters = ResizeParameters(mode: bilinear ? .linear : .nearest,
                                          coordinateMode: bilinear ? .halfPixel : .asymmetric,
                                          nearestMode: .floor, sizes: type.shape)
        try graph.prepend([Node(name: resized, .resize(parameters), inputs: [input], outputs: [resized],
                                originalNames: ["input resize"])])
        return graph
    }
}
