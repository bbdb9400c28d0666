// The public resize entry point: checks the requested size, then dispatches to the Pillow or
// OpenCV reproduction the filter names.

import EFCore

/// Resizes `PixelImage`s.
public enum Resampler {
    /// Largest output side and pixel count accepted (guards against absurd requests).
    public static let maxSide = 1 << 16
    public static let maxPixels = 1 << 28

    /// `image` resized to `width × height` (channels kept; 1, 3 or 4).
    ///
    /// Pillow filters match Pillow 13 `Image.resize(size, filter)` byte for byte, including its
    /// premultiplied-alpha round trip for 4-channel images (non-nearest filters); `opencvLinear`
    /// matches `cv2.resize(img, (width, height))` (channels resampled independently). Resizing
    /// to the same size returns the image unchanged, as both libraries do.
    /// - Throws: `EdgeflowError.invalidArgument` when a side is < 1, a side exceeds `maxSide`
    ///   or the output would exceed `maxPixels`; `.invalidInput` when the source and the
    ///   resampler's buffers exceed `budget` (default: the image budget of the default pixel limit).
    public static func resize(_ image: PixelImage, width: Int, height: Int, filter: ResampleFilter,
                              budget: MemoryBudget = .image()) throws -> PixelImage {
        try checkedSize(width: width, height: height)
        if width == image.width && height == image.height { return image }
        let plan = RecipePlan(sourceWidth: image.width, sourceHeight: image.height, resizeWidth: width,
                              resizeHeight: height, filter: filter, cropX: 0, cropY: 0, cropWidth: width,
                              cropHeight: height, outputWidth: width, outputHeight: height,
                              geometry: ImageGeometry(sourceWidth: image.width, sourceHeight: image.height, scaleX: 1,
                                                      scaleY: 1, offsetX: 0, offsetY: 0, contentX: 0, contentY: 0,
                                                      contentWidth: width, contentHeight: height),
                              padding: .pixels)
        let need = try CheckedSize.add(image.pixels.count, try plan.workingBytes(channels: image.channels), "resize")
        try budget.check(need, for: "resizing a \(image.width)×\(image.height) image to \(width)×\(height)")
        return try resize(image, width: width, height: height, filter: filter, columns: 0..<width, rows: 0..<height)
    }

    /// The `columns × rows` window of `image` resized to `width × height` (sizes already
    /// checked): for the Pillow filters only the window is computed, which is exact because each
    /// output pixel depends on its own taps only; the others resize fully, then crop.
    static func resize(_ image: PixelImage, width: Int, height: Int, filter: ResampleFilter,
                       columns: Range<Int>, rows: Range<Int>) throws -> PixelImage {
        let whole = columns == 0..<width && rows == 0..<height
        switch filter {
        case .nearest, .opencvLinear:
            let full = filter == .nearest ? PillowNearest.resize(image, width: width, height: height)
                                          : OpenCVLinear.resize(image, width: width, height: height)
            return whole ? full : crop(full, x: columns.lowerBound, y: rows.lowerBound, width: columns.count, height: rows.count)
        case .box, .bilinear, .bicubic, .lanczos:
            guard let kernel = ConvolutionKernel(filter) else {
                throw EdgeflowError(.internalError, "no convolution kernel for filter \(filter.rawValue)")
            }
            if image.channels == 4 {
                let premultiplied = PremultipliedAlpha.premultiply(image)
                let resized = PillowConvolution.resize(premultiplied, width: width, height: height, kernel: kernel,
                                                       columns: columns, rows: rows)
                return PremultipliedAlpha.unpremultiply(resized)
            }
            return PillowConvolution.resize(image, width: width, height: height, kernel: kernel, columns: columns, rows: rows)
        }
    }

    /// Throws unless `width × height` is an acceptable output size.
    /// - Throws: `EdgeflowError.invalidArgument` when a side is < 1, a side exceeds `maxSide`
    ///   or the output would exceed `maxPixels`.
    static func checkedSize(width: Int, height: Int) throws {
        guard width >= 1, height >= 1 else {
            throw EdgeflowError(.invalidArgument, "resize to \(width)×\(height): both sides must be at least 1",
                                hint: "pass a positive width and height")
        }
        guard width <= maxSide, height <= maxSide, width <= maxPixels / height else {
            throw EdgeflowError(.invalidArgument,
                                "resize to \(width)×\(height) is beyond the limit (sides ≤ \(maxSide), ≤ \(maxPixels) pixels)",
                                hint: "request a smaller output size")
        }
    }
}
