// `edgeflow preprocess`: shows what a model will see — decodes a photo, applies a named recipe
// (resize, crop, padding), packs the model input tensor and writes it as .npy (and the
// prepared pixels as PNG to look at).

import ArgumentParser
import EFArchive
import EFCore
import EFMedia
import Foundation

struct PreprocessCommand: ParsableCommand {
    /// One line per named recipe, for --help.
    private static var recipeList: String {
        PreprocessRecipe.presetNames.map { preset in
            "  " + preset.name.padding(toLength: 10, withPad: " ", startingAt: 0) + preset.summary
        }.joined(separator: "\n")
    }

    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Turn a photo into a model input tensor the way the reference pipeline does.",
        discussion: """
            Decodes IMAGE (JPEG, PNG, WebP, HEIF/HEIC, GIF, TIFF, camera RAW; the EXIF orientation is applied), \
            applies the recipe's resize/crop/padding and writes the model input as .npy:
              nchw-f32  float32 [1, 3, H, W], (x/255 − mean)/std per channel (the default)
              nhwc-u8   uint8 [1, H, W, 3], the resized bytes, for models with the normalization \
            folded in (Hailo style)

            Recipes (--size overrides the main size):
            \(recipeList)

            Resizing matches Pillow (antialiased bicubic, a = −0.5) or OpenCV (INTER_LINEAR) to \
            the bit, whichever the model family's reference pipeline uses, so the tensor equals \
            the reference one. --fast lets the decoder return a smaller image where the format \
            allows (JPEG scaled IDCT as Pillow's Image.draft does, the HEIF embedded thumbnail; \
            other formats decoded whole, then Pillow's Image.reduce by 2, 4 or 8) as long as it \
            stays at least as large as the recipe needs: much faster on big \
            photos, but no longer identical to a full-size decode.

            Examples:
              edgeflow preprocess photo.jpg --recipe clip --size 224 -o photo.npy --png crop.png
              edgeflow preprocess photo.heic --recipe clip --layout nhwc-u8 -o photo_u8.npy
              edgeflow preprocess page.png --recipe ocr-det -o det_input.npy --json
            """)

    @Argument(help: "The photo to prepare.")
    var image: String

    @Option(help: ArgumentHelp("The preprocessing recipe (see above).", valueName: "name"))
    var recipe = "clip"

    /// The valid range of --size.
    static let sizeRange = 1...8192

    @Option(help: ArgumentHelp("The recipe's main size: square side, OCR limit side or OCR line height "
                               + "(\(sizeRange.lowerBound)…\(sizeRange.upperBound)).", valueName: "n"))
    var size: Int?

    @Option(help: ArgumentHelp("nchw-f32 (normalized float), nhwc-f32 (normalized float, channels last, as "
                               + "TFLite float models take) or nhwc-u8 (bytes).", valueName: "layout"))
    var layout = "nchw-f32"

    @Option(help: ArgumentHelp("Per-channel mean in 0…1 units, overriding the recipe's (e.g. 0.5,0.5,0.5); "
                               + "three finite numbers in −1000…1000.", valueName: "r,g,b"))
    var mean: String?

    @Option(help: ArgumentHelp("Per-channel std in 0…1 units, overriding the recipe's; three finite numbers, "
                               + "each 1e-6…1000 in magnitude (not 0).", valueName: "r,g,b"))
    var std: String?

    @Option(help: ArgumentHelp("rgb or bgr, overriding the recipe's channel order.", valueName: "order"))
    var channelOrder: String?

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("The .npy file to write.", valueName: "file.npy"))
    var output: String

    @Option(help: ArgumentHelp("Also write the prepared pixels (RGB) as a PNG to look at.", valueName: "file.png"))
    var png: String?

    @Flag(help: "Decode at a reduced size (faster, not identical to a full decode).")
    var fast = false

    @Option(help: ArgumentHelp("Refuse images with more pixels than this (decompression bombs); 1…"
                               + "\(DecodeOptions.maxPixelsCeiling). Also sets the image memory budget to 12 bytes "
                               + "per pixel plus 64 MiB (2.06 GiB by default).", valueName: "n"))
    var maxPixels = DecodeOptions().maxPixels

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        if let size, !Self.sizeRange.contains(size) {
            let range = "\(Self.sizeRange.lowerBound)…\(Self.sizeRange.upperBound)"
            throw ValidationError("--size must be in \(range), got \(size)")
        }
        guard (1...DecodeOptions.maxPixelsCeiling).contains(maxPixels) else {
            throw ValidationError("--max-pixels must be in 1…\(DecodeOptions.maxPixelsCeiling) "
                                  + "(the image memory budget is 12 bytes per pixel plus 64 MiB), got \(maxPixels)")
        }
        let numbers = [("--mean", mean, 0.0...1000, "0…1000"), ("--std", std, 1e-6...1000, "1e-6…1000")]
        for (option, text, range, shown) in numbers {
            guard let text else { continue }
            guard let values = try? Self.triple(text, option: option) else {
                throw ValidationError("\(option) '\(text)' is not three comma-separated numbers "
                                      + "(finite, magnitudes in \(shown))")
            }
            if option == "--std", values.contains(0) {
                throw ValidationError("--std \(text) contains 0 (std values divide the pixels; magnitudes in \(shown))")
            }
            guard values.allSatisfy({ range.contains($0.magnitude) }) else {
                throw ValidationError("\(option) '\(text)': each magnitude must be in \(shown)")
            }
        }
    }

    func run() throws {
        try CommandSupport.run {
            let recipe = try makeRecipe()
            guard let layout = TensorLayout(rawValue: layout) else {
                throw EdgeflowError(.invalidArgument, "unknown --layout '\(layout)'",
                                    hint: "use nchw-f32, nhwc-f32 or nhwc-u8")
            }
            let normalization = try makeNormalization(recipe.normalization)
            let source = CommandSupport.url(image)
            let start = Date()
            let options = decodeOptions(for: recipe, layout: layout)
            let decoded = try ImageDecoder.decode(contentsOf: source, options: options)
            let decodeSeconds = Date().timeIntervalSince(start)
            let prepared = try recipe.apply(to: decoded.image, budget: options.memoryBudget)
            let tensor = try TensorPacker.makeTensor(prepared, layout: layout, normalization: normalization,
                                                     budget: options.memoryBudget)
            let seconds = Date().timeIntervalSince(start)

            try writeOutputs(tensor: tensor, prepared: prepared)
            let report = PreprocessReport(source: CommandSupport.display(source), decoded: decoded, recipe: recipe,
                                          prepared: prepared, layout: layout, normalization: normalization,
                                          tensor: tensor, output: output, png: png,
                                          decodeSeconds: decodeSeconds, seconds: seconds)
            if json {
                try CommandSupport.printJSON(report)
            } else {
                report.printText()
            }
        }
    }

    private func makeRecipe() throws -> PreprocessRecipe {
        try PreprocessRecipe.named(recipe, size: size)
    }

    private func makeNormalization(_ base: Normalization) throws -> Normalization {
        var result = base
        if let mean { result.mean = try Self.triple(mean, option: "--mean") }
        if let std {
            result.std = try Self.triple(std, option: "--std")
            if result.std.contains(where: { $0 == 0 }) {
                throw EdgeflowError(.invalidArgument, "--std \(std) contains 0",
                                    hint: "std values divide the pixels; use positive numbers")
            }
        }
        if let channelOrder {
            guard let order = ChannelOrder(rawValue: channelOrder.lowercased()) else {
                throw EdgeflowError(.invalidArgument, "unknown --channel-order '\(channelOrder)'",
                                    hint: "use rgb or bgr")
            }
            result.channelOrder = order
        }
        return result
    }

    /// Three comma-separated numbers, e.g. `0.5,0.5,0.5`.
    static func triple(_ text: String, option: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 3, let parsed = values as? [Double], parsed.allSatisfy(\.isFinite) else {
            throw EdgeflowError(.invalidArgument, "\(option) '\(text)' is not three comma-separated numbers",
                                hint: "for example \(option) 0.5,0.5,0.5 (0…1 units, in R,G,B order)")
        }
        return parsed
    }

    /// The decode options: the pixel limit, the recipe's buffers, its tensor with the .npy copy
    /// and the PNG as planned use (so an image they would not fit is refused before decoding);
    /// with --fast, the smallest decoded size (displayed orientation) the recipe still needs at
    /// full quality: the decoder may reduce the image down to it, never below.
    private func decodeOptions(for recipe: PreprocessRecipe, layout: TensorLayout) -> DecodeOptions {
        let writesPNG = png != nil
        let use = PlannedImageUse(what: "recipe \(recipe.name) and its \(layout.rawValue) tensor") { width, height in
            let plan = try recipe.plan(width: width, height: height)
            let tensor = try plan.tensorBytes(layout: layout, channels: 3)
            let image = try plan.tensorBytes(layout: .nhwcUInt8, channels: 3)
            return try [plan.workingBytes(channels: 3), tensor, tensor, writesPNG ? 2 * image : 0]
                .reduce(0) { try CheckedSize.add($0, $1, "preprocessing memory") }
        }
        var options = DecodeOptions(maxPixels: maxPixels, plannedUse: use)
        guard fast else { return options }
        switch recipe.kind {
        case .clip(let size): (options.minimumWidth, options.minimumHeight) = (size, size)
        case .squash(let width, let height), .letterbox(let width, let height):
            (options.minimumWidth, options.minimumHeight) = (width, height)
        case .ocrDetection(let side, _): (options.minimumWidth, options.minimumHeight) = (side, side)
        case .ocrRecognition(let height, _, _): (options.minimumWidth, options.minimumHeight) = (1, height)
        }
        return options
    }

    /// Writes the tensor (and the PNG) atomically; if the PNG fails, the .npy is removed again.
    private func writeOutputs(tensor: Tensor, prepared: PreparedImage) throws {
        let npyURL = CommandSupport.url(output)
        let pngBytes = try png.map { _ in Data(try PNGEncoder.encode(prepared.image)) }
        try AtomicFile.write(NPY.encode(tensor), to: npyURL)
        guard let png, let pngBytes else { return }
        do {
            try AtomicFile.write(pngBytes, to: CommandSupport.url(png))
        } catch {
            try? FileManager.default.removeItem(at: npyURL)
            throw error
        }
    }
}
