// The 8-bit image every part of the media front-end passes around: decoders produce it,
// the resampler and the recipes consume and produce it, the tensor packers read it.

import EFCore

/// An 8-bit interleaved image: `height × width × channels` bytes, row-major, no row padding.
///
/// `channels` is 1 (gray), 3 (RGB) or 4 (RGBA). Decoders always return RGB (3 channels) with
/// the EXIF orientation already applied.
public struct PixelImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` bytes; pixel (x, y) starts at `(y * width + x) * channels`.
    public var pixels: [UInt8]

    /// Wraps `pixels`; throws `invalidInput` when the sizes disagree or a dimension is < 1.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width >= 1, height >= 1, [1, 3, 4].contains(channels) else {
            throw EdgeflowError(.invalidInput,
                                "image of \(width)×\(height)×\(channels): dimensions must be ≥ 1 and channels 1, 3 or 4")
        }
        guard pixels.count == width * height * channels else {
            throw EdgeflowError(.invalidInput,
                                "image of \(width)×\(height)×\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black (zero) image.
    public init(zerosWidth width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
        pixels = [UInt8](repeating: 0, count: width * height * channels)
    }

    /// Bytes per row.
    public var rowBytes: Int { width * channels }
}
