// The image input of an executable that embeds a recipe: a photo decoded (EXIF orientation
// applied), prepared by the recipe (resize, crop, padding) and packed as the model expects —
// normalized float32 NCHW, or the bytes NHWC when the normalization is inside the model.

import EFCore
import EFMedia
import Foundation

extension EdgeflowModel {
    /// The model's inputs for the photo at `url`, by the embedded recipe.
    /// - Parameter maxPixels: refuse larger images (decompression bombs); also sets the image
    ///   memory budget (12 bytes per pixel plus 64 MiB).
    /// - Returns: one tensor for the model's single input.
    /// - Throws: `EdgeflowError.invalidArgument` when the executable embeds no recipe;
    ///   `.invalidInput` when the photo cannot be decoded or the recipe makes another shape
    ///   than the input's (variable-size recipes such as ocr-det on an unexpected photo).
    public func imageInput(contentsOf url: URL, maxPixels: Int = DecodeOptions.defaultMaxPixels) throws
        -> [String: Tensor] {
        guard let embedded = recipe, let input = inputs.first, inputs.count == 1 else {
            throw EdgeflowError(.invalidArgument, "\(name) embeds no preprocessing recipe",
                                hint: "give the input tensor as --input NAME=FILE.npy (edgeflow preprocess makes one), "
                                    + "or compile with --recipe")
        }
        var recipe = try PreprocessRecipe.named(embedded.name, size: embedded.size)
        recipe.normalization.mean = embedded.mean
        recipe.normalization.std = embedded.std
        recipe.normalization.channelOrder = ChannelOrder(rawValue: embedded.channelOrder) ?? .rgb
        guard let layout = TensorLayout(rawValue: embedded.tensorLayout) else {
            throw EdgeflowError(.invalidArchive,
                                "\(name): the embedded recipe's layout '\(embedded.tensorLayout)' is unknown")
        }
        // ocr-rec follows the line's ratio; a fixed-width model takes every line at its own width.
        if let size = layout.imageSize(of: input.shape) {
            recipe = recipe.fitted(toHeight: size.height, width: size.width)
        }
        let options = DecodeOptions(maxPixels: maxPixels)
        let decoded = try ImageDecoder.decode(contentsOf: url, options: options)
        let prepared = try recipe.apply(to: decoded.image, budget: options.memoryBudget)
        let tensor = try TensorPacker.makeTensor(prepared, layout: layout, normalization: recipe.normalization,
                                                 budget: options.memoryBudget)
        guard tensor.dtype == input.dtype, tensor.shape == input.shape else {
            throw EdgeflowError(.invalidInput, "recipe \(embedded.name) made \(tensor.dtype.rawValue)"
                + "\(tensor.shape.shapeDescription) from \(url.lastPathComponent), but input '\(input.name)' is "
                + "\(input.dtype.rawValue)\(input.shape.shapeDescription)")
        }
        return [input.name: tensor]
    }
}
