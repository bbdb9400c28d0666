// Running a recipe's plan (RecipePlan.swift) on pixels: resize (only the kept window), crop, pad.

import EFCore

extension PreprocessRecipe {
    /// Applies the recipe's resize / crop / padding to an RGB (or gray/RGBA) image, after
    /// checking the source image and every buffer of the plan against `budget`.
    /// - Throws: `EdgeflowError.invalidArgument` when a size parameter is < 1;
    ///   `.invalidInput` when the image makes an empty or oversized side (see `plan`) or the
    ///   buffers exceed `budget` (default: the image budget of the default pixel limit).
    public func apply(to image: PixelImage, budget: MemoryBudget = .image()) throws -> PreparedImage {
        let plan = try plan(width: image.width, height: image.height)
        let need = try CheckedSize.add(image.pixels.count, try plan.workingBytes(channels: image.channels),
                                       "recipe \(name) memory")
        try budget.check(need, for: "recipe \(name) on a \(image.width)×\(image.height) image "
                            + "(resize to \(plan.resizeWidth)×\(plan.resizeHeight))")
        return try apply(plan, to: image)
    }

    /// Runs a plan made by `plan(width:height:)` for this image's size.
    func apply(_ plan: RecipePlan, to image: PixelImage) throws -> PreparedImage {
        let columns = plan.cropX ..< plan.cropX + plan.cropWidth, rows = plan.cropY ..< plan.cropY + plan.cropHeight
        let content: PixelImage
        if !plan.resizes {
            content = crop(image, x: plan.cropX, y: plan.cropY, width: plan.cropWidth, height: plan.cropHeight)
        } else {
            // Only the crop window of the resized image is computed (identical to resize + crop).
            content = try Resampler.resize(image, width: plan.resizeWidth, height: plan.resizeHeight,
                                           filter: plan.filter, columns: columns, rows: rows)
        }
        return PreparedImage(image: pad(content, width: plan.outputWidth, height: plan.outputHeight),
                             geometry: plan.geometry, padding: plan.padding)
    }
}

/// The `width × height` window at (x, y) of `image` (the window lies inside the image).
func crop(_ image: PixelImage, x: Int, y: Int, width: Int, height: Int) -> PixelImage {
    if x == 0 && y == 0 && width == image.width && height == image.height { return image }
    var out = PixelImage(zerosWidth: width, height: height, channels: image.channels)
    let rowBytes = width * image.channels
    for row in 0..<height {
        let src = (y + row) * image.rowBytes + x * image.channels
        out.pixels.replaceSubrange(row * rowBytes ..< (row + 1) * rowBytes, with: image.pixels[src ..< src + rowBytes])
    }
    return out
}

/// `image` at the top-left of a zero `width × height` canvas (at least as large as the image).
func pad(_ image: PixelImage, width: Int, height: Int) -> PixelImage {
    if width == image.width && height == image.height { return image }
    var out = PixelImage(zerosWidth: width, height: height, channels: image.channels)
    for row in 0..<image.height {
        let dst = row * out.rowBytes
        out.pixels.replaceSubrange(dst ..< dst + image.rowBytes,
                                   with: image.pixels[row * image.rowBytes ..< (row + 1) * image.rowBytes])
    }
    return out
}
