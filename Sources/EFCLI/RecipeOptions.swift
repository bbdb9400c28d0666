// The preprocessing recipe `edgeflow compile` embeds in an executable (--recipe, --size,
// --mean, --std, --channel-order, --recipe-inside), checked against the model's image input.

import ArgumentParser
import EFCore
import EFIR
import EFMedia
import EFTransforms
import EdgeflowRuntime

struct RecipeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Embed this preprocessing recipe for the model's image input (see `edgeflow "
                               + "preprocess --help`).", valueName: "name"))
    var recipe: String?

    @Option(help: ArgumentHelp("The recipe's main size (1…8192).", valueName: "n"))
    var size: Int?

    @Option(help: ArgumentHelp("Per-channel mean in 0…1 units overriding the recipe's (r,g,b).", valueName: "r,g,b"))
    var mean: String?

    @Option(help: ArgumentHelp("Per-channel std in 0…1 units overriding the recipe's (r,g,b).", valueName: "r,g,b"))
    var std: String?

    @Option(help: ArgumentHelp("rgb or bgr, overriding the recipe's channel order.", valueName: "order"))
    var channelOrder: String?

    @Flag(help: "Make the normalization part of the model: the executable takes uint8 [1, H, W, 3] bytes.")
    var recipeInside = false

    func validate() throws {
        if recipe == nil, size != nil || mean != nil || std != nil || channelOrder != nil || recipeInside {
            throw ValidationError("--size, --mean, --std, --channel-order and --recipe-inside need --recipe")
        }
        if let size, !PreprocessCommand.sizeRange.contains(size) {
            throw ValidationError("--size must be in 1…8192, got \(size)")
        }
        if let channelOrder, ChannelOrder(rawValue: channelOrder.lowercased()) == nil {
            throw ValidationError("--channel-order must be rgb or bgr, got '\(channelOrder)'")
        }
    }

    /// The recipe to embed, checked against `graph`'s single image input; nil without --recipe.
    /// - Throws: `EdgeflowError.invalidArgument` for an unknown recipe, bad numbers, or a model
    ///   whose input the recipe cannot feed.
    func embedded(for graph: Graph) throws -> EmbeddedRecipe? {
        guard let name = recipe else { return nil }
        let base = try PreprocessRecipe.named(name, size: size)
        var normalization = base.normalization
        if let mean { normalization.mean = try PreprocessCommand.triple(mean, option: "--mean") }
        if let std { normalization.std = try PreprocessCommand.triple(std, option: "--std") }
        if let channelOrder { normalization.channelOrder = ChannelOrder(rawValue: channelOrder.lowercased()) ?? .rgb }
        try normalization.validate()
        guard graph.inputs.count == 1, let input = graph.inputs.first, let type = graph.types[input],
              type.dtype == .float32, type.shape.count == 4, type.shape[1] == 3 || type.shape[3] == 3 else {
            throw EdgeflowError(.invalidArgument, "--recipe \(name) feeds one float32 [1, 3, H, W] (or, as TFLite "
                + "models, [1, H, W, 3]) image input; this model has "
                + graph.inputs.map { "\($0) \(graph.types[$0].map(\.description) ?? "?")" }.joined(separator: ", "))
        }
        let layout: TensorLayout = recipeInside ? .nhwcUInt8 : type.shape[1] == 3 ? .nchwFloat32 : .nhwcFloat32
        let (height, width) = type.shape[1] == 3 ? (type.shape[2], type.shape[3]) : (type.shape[1], type.shape[2])
        if let (recipeWidth, recipeHeight) = fixedSize(base), [recipeHeight, recipeWidth] != [height, width] {
            throw EdgeflowError(.invalidArgument, "--recipe \(name) makes \(recipeWidth)×\(recipeHeight) images but "
                + "the model input '\(input)' is \(type)",
                hint: "give --size \(width) (or the recipe the model was trained with)")
        }
        return EmbeddedRecipe(name: base.name, size: size, tensorLayout: layout.rawValue,
                              mean: normalization.mean, std: normalization.std,
                              channelOrder: normalization.channelOrder.rawValue, normalizationInside: recipeInside)
    }

    /// `graph` with the recipe's normalization prepended (--recipe-inside).
    func foldNormalization(into graph: Graph) throws -> Graph {
        guard let recipe = try embedded(for: graph) else { return graph }
        return try InputNormalization.prepend(graph, mean: recipe.mean, std: recipe.std,
                                              reverseChannels: recipe.channelOrder == ChannelOrder.bgr.rawValue)
    }

    /// Width and height of recipes whose output size does not depend on the photo.
    private func fixedSize(_ recipe: PreprocessRecipe) -> (Int, Int)? {
        switch recipe.kind {
        case .clip(let size): (size, size)
        case .squash(let width, let height), .letterbox(let width, let height): (width, height)
        case .ocrDetection, .ocrRecognition: nil
        }
    }
}
