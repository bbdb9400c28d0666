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
    ///   or the output would exceed `maxPixels`.
    public static func resize(_ image: PixelImage, width: Int, height: Int, filter: ResampleFilter) throws -> PixelImage {
        guard width >= 1, height >= 1 else {
            throw EdgeflowError(.invalidArgument, "resize to \(width)×\(height): both sides must be at least 1",
                                hint: "pass a positive width and height")
        }
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw EdgeflowError(.invalidArgument,
                                "resize to \(width)×\(height) is beyond the limit (sides ≤ \(maxSide), ≤ \(maxPixels) pixels)",
                                hint: "request a smaller output size")
        }
        if width == image.width && height == image.height { return image }
        switch filter {
        case .nearest:
            return PillowNearest.resize(image, width: width, height: height)
        case .opencvLinear:
            return OpenCVLinear.resize(image, width: width, height: height)
        case .box, .bilinear, .bicubic, .lanczos:
            guard let kernel = ConvolutionKernel(filter) else {
                throw EdgeflowError(.internalError, "no convolution kernel for filter \(filter.rawValue)")
            }
            if image.channels == 4 {
                let premultiplied = PremultipliedAlpha.premultiply(image)
                let resized = PillowConvolution.resize(premultiplied, width: width, height: height, kernel: kernel)
                return PremultipliedAlpha.unpremultiply(resized)
            }
            return PillowConvolution.resize(image, width: width, height: height, kernel: kernel)
        }
    }
}
