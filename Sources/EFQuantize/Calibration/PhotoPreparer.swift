// Calibration samples from photos, made exactly as `edgeflow preprocess` and the runtime's
// recipe input make them: EFMedia decodes the photo (EXIF orientation applied, pixel limit and
// image memory budget), the recipe resizes/crops/pads it and the packer lays it out as the
// model's single input takes it (float32 [1, 3, H, W] normalized — or [1, H, W, 3], as TFLite models
// take it, the same floats channels-last —, or uint8 [1, H, W, 3] bytes; for a YUV input, those bytes
// encoded as its YUV or NV12/NV21 frame).
// A photo that cannot be decoded or prepared is skipped with the reason; a photo that prepares
// into another shape than the input's is an error (the recipe or its size is wrong).

import EFCore
import EFMedia
import EFTransforms
import Foundation

/// Turns photos into samples of a single-input model.
struct PhotoPreparer {
    let input: CalibrationInput
    let recipe: PreprocessRecipe
    let layout: TensorLayout
    /// The shape the recipe and packer make: the input's, or the RGB image a YUV input encodes.
    let packedShape: [Int]

    /// Checks, before any photo is decoded, that photos can feed the model at all.
    /// - Throws: `EdgeflowError.invalidInput` naming `source` when there is no recipe, the model
    ///   has several inputs, or its input is not float32 [1, 3, H, W] or [1, H, W, 3] / uint8
    ///   [1, H, W, 3] (the channel count is named: photos give 3).
    init(inputs: [CalibrationInput], recipe: PreprocessRecipe?, source: URL) throws {
        guard let input = inputs.first, inputs.count == 1 else {
            throw EdgeflowError(.invalidInput,
                "\(source.path): photos can feed only a single-input model; this one has \(inputs.count) inputs "
                    + "(\(inputs.map { "'\($0.name)'" }.joined(separator: ", ")))",
                hint: "give .npz files with one array per input instead")
        }
        // A YUV input is fed the RGB bytes the recipe makes, encoded: find that image's shape.
        var shape = input.shape
        if let yuv = input.yuv, shape.count == (yuv.layout == .interleaved ? 4 : 3) {
            shape = switch (yuv.layout, input.dtype) {
            case (.interleaved, .float32): [shape[0], shape[2], shape[3], shape[1]]   // YUV planes
            case (.interleaved, _): shape
            default: [shape[0], shape[1] * 2 / 3, shape[2], 3]                         // NV12/NV21 frame
            }
        }
        // A float32 [1, H, W, 3] input (TFLite's layout) takes the normalized floats channels-last.
        let channelsLast = shape.count == 4 && shape[3] == 3 && shape[1] != 3
        let layout: TensorLayout
        switch input.dtype {
        case .float32 where input.yuv != nil: layout = .nhwcUInt8
        case .float32: layout = channelsLast ? .nhwcFloat32 : .nchwFloat32
        case .uint8: layout = .nhwcUInt8
        default:
            throw EdgeflowError(.invalidInput,
                "\(source.path): photos cannot feed input \(input.label): a recipe makes float32 [1, 3, H, W] "
                    + "or [1, H, W, 3], or uint8 [1, H, W, 3]",
                hint: "give .npy arrays of the input's dtype and shape instead")
        }
        let channelAxis = layout == .nchwFloat32 ? 1 : 3
        let form = layout == .nchwFloat32 ? "float32 [1, 3, H, W]" : "\(input.dtype.rawValue) [1, H, W, 3]"
        guard shape.count == 4, shape[0] == 1 else {
            throw EdgeflowError(.invalidInput,
                "\(source.path): photos cannot feed input \(input.label): one photo makes one \(form) sample",
                hint: "give .npy arrays of the input's shape instead")
        }
        guard shape[channelAxis] == 3 else {
            let c = shape[channelAxis]
            throw EdgeflowError(.invalidInput,
                "\(source.path): the model takes \(c) channel\(c == 1 ? "" : "s") (input \(input.label)), "
                    + "but photos are decoded to 3 (RGB)",
                hint: "give .npy arrays shaped \(shape.shapeDescription) instead of photos")
        }
        guard let recipe else {
            let side = layout.imageSize(of: shape)?.height ?? 0
            throw EdgeflowError(.invalidInput,
                "\(source.path): a photo calibration set needs a preprocessing recipe for input \(input.label)",
                hint: "name one in the model script, e.g. preprocessing(recipe=clip, size=\(side)), or with "
                    + "--recipe NAME --size \(side) (recipes: "
                    + PreprocessRecipe.presetNames.map(\.name).joined(separator: ", ") + ")")
        }
        self.input = input
        packedShape = shape
        // ocr-rec follows the line's ratio; a fixed-width model takes every line at its width.
        let size = layout.imageSize(of: shape)
        self.recipe = size.map { recipe.fitted(toHeight: $0.height, width: $0.width) } ?? recipe
        self.layout = layout
    }

    /// Adds the sample of the photo at `url`, or records it as skipped when it cannot be decoded
    /// or prepared.
    /// - Throws: `EdgeflowError.invalidInput` when the sample does not fit the budget or the
    ///   recipe makes another shape than the input's; `.invalidArgument` for a bad recipe.
    func add(_ url: URL, to collector: inout SampleCollector) throws {
        _ = try collector.admit(1, from: url)
        let tensor: Tensor
        do {
            tensor = try prepare(url)
        } catch let error as EdgeflowError where error.kind == .invalidInput || error.kind == .io {
            collector.skip(url, error.message.hasPrefix(url.lastPathComponent)
                                ? error.message : "\(url.lastPathComponent): \(error.message)")
            return
        }
        guard tensor.dtype == input.dtype, tensor.shape == input.shape else {
            throw EdgeflowError(.invalidInput,
                "\(url.path): recipe \(recipe.name) made \(tensor.dtype.rawValue)\(tensor.shape.shapeDescription) "
                    + "from this photo, but input '\(input.name)' takes \(input.dtype.rawValue)"
                    + input.shape.shapeDescription,
                hint: sizeHint)
        }
        collector.append([input.name: tensor])
        collector.countFile()
    }

    /// The photo decoded, prepared by the recipe and packed (the decoder refuses, from the
    /// header, a photo whose preparation would not fit the image memory budget).
    private func prepare(_ url: URL) throws -> Tensor {
        let recipe = self.recipe, layout = self.layout
        let use = PlannedImageUse(what: "recipe \(recipe.name) and its \(layout.rawValue) tensor") { width, height in
            try recipe.memoryNeed(width: width, height: height, layout: layout)
        }
        let options = DecodeOptions(plannedUse: use)
        let decoded = try ImageDecoder.decode(contentsOf: url, options: options)
        let prepared = try recipe.apply(to: decoded.image, budget: options.memoryBudget)
        let packed = try TensorPacker.makeTensor(prepared, layout: layout, normalization: recipe.normalization,
                                                 budget: options.memoryBudget)
        guard let yuv = input.yuv, packed.dtype == .uint8, packed.shape == packedShape else { return packed }
        let (height, width) = (packedShape[1], packedShape[2])
        let bytes = try yuv.encode(rgb: packed.scalars(as: UInt8.self), height: height, width: width)
        guard input.dtype == .float32 else { return Tensor(shape: input.shape, scalars: bytes) }
        let planes = (0..<3 * height * width).map { index -> Float in   // NHWC bytes → NCHW floats
            let (channel, pixel) = index.quotientAndRemainder(dividingBy: height * width)
            return Float(bytes[pixel * 3 + channel])
        }
        return Tensor(shape: input.shape, scalars: planes)
    }

    /// How to make the recipe produce the input's size.
    private var sizeHint: String {
        let (h, w) = layout.imageSize(of: packedShape) ?? (0, 0)
        guard h == w else {
            return "use a recipe that makes \(w)×\(h) images (--recipe squash, letterbox, ocr-det or ocr-rec "
                + "without --size take the model's own size), or give .npy arrays prepared to "
                + "\(input.shape.shapeDescription) instead"
        }
        return "give the model's size: preprocessing(recipe=\(recipe.name), size=\(h)) in the model script, "
            + "or --recipe \(recipe.name) --size \(h)"
    }
}
