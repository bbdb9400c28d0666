// Fuzz targets of EFMedia: one per image decoder (the input is a file of that format; inputs
// the sniffer gives another format are skipped so each target stays on its decoder) and one
// for the preprocessing recipes (the input describes an image and a recipe, see `recipes`).

import EFCore
import EFMedia
import Foundation

enum MediaFuzzTargets {
    static let all: [FuzzTarget] = decoders + [recipes]

    static let decoders: [FuzzTarget] = ImageFormat.allCases.map { format in
        FuzzTarget(name: "decode-\(format.rawValue)",
                   summary: "a \(format.rawValue) file → ImageDecoder.decode, full size and reduced (64×64 min)") {
            let bytes = [UInt8]($0)
            guard ImageDecoder.format(of: bytes) == format else { return }
            _ = try ImageDecoder.decode(bytes: bytes, options: DecodeOptions(maxPixels: FuzzLimits.maxPixels))
            _ = try ImageDecoder.decode(bytes: bytes, options: DecodeOptions(
                maxPixels: FuzzLimits.maxPixels, minimumWidth: 64, minimumHeight: 64))
        }
    }

    /// Input: byte 0 picks the recipe, bytes 1–4 the image width and height (1…256 each),
    /// byte 5 the channels (1, 3 or 4), bytes 6–7 the recipe size (1…512), byte 8 the packing;
    /// the remaining bytes, repeated, are the pixels.
    static let recipes = FuzzTarget(name: "recipes",
        summary: "an image and recipe parameters → PreprocessRecipe.apply and TensorPacker.makeTensor") { data in
        let header = [UInt8](data.prefix(9))
        guard header.count == 9 else { return }
        let width = 1 + (Int(header[1]) << 8 | Int(header[2])) % 256
        let height = 1 + (Int(header[3]) << 8 | Int(header[4])) % 256
        let channels = [1, 3, 4][Int(header[5]) % 3]
        let size = 1 + (Int(header[6]) << 8 | Int(header[7])) % 512
        let recipeNames = ["clip", "squash", "letterbox", "ocr-det", "ocr-rec"]
        let recipe = try PreprocessRecipe.named(recipeNames[Int(header[0]) % recipeNames.count], size: size)
        let body = [UInt8](data.dropFirst(9))
        let count = width * height * channels
        let pixels = body.isEmpty ? [UInt8](repeating: 0, count: count)
            : (0..<count).map { body[$0 % body.count] }
        let image = try PixelImage(width: width, height: height, channels: channels, pixels: pixels)
        let budget = MemoryBudget.image(maxPixels: FuzzLimits.maxPixels)
        let prepared = try recipe.apply(to: image, budget: budget)
        let layout: TensorLayout = [.nchwFloat32, .nhwcUInt8, .nhwcFloat32][Int(header[8] % 3)]
        _ = try TensorPacker.makeTensor(prepared, layout: layout, normalization: recipe.normalization, budget: budget)
    }
}
