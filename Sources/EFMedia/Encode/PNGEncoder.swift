// Writes a PixelImage as an 8-bit PNG through libpng's simplified API
// (png_image_write_to_memory), e.g. for `edgeflow preprocess --png` to show the crop.

import CPNG
import EFCore

/// PNG encoding of 8-bit images.
public enum PNGEncoder {
    /// The PNG bytes of `image`: gray (1 channel), RGB (3) or RGBA (4), 8 bits per sample,
    /// no colour-space chunks beyond what libpng writes for sRGB data. Throws `internalError`
    /// when libpng fails.
    public static func encode(_ image: PixelImage) throws -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        switch image.channels {
        case 1: png.format = PNGFormat.gray
        case 3: png.format = PNGFormat.rgb
        default: png.format = PNGFormat.rgba
        }
        let rowStride = Int32(image.rowBytes)
        var size: Int = 0
        let sized = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, rowStride, nil)
        }
        guard sized != 0, size > 0 else { throw failure(&png) }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { buffer in
            image.pixels.withUnsafeBytes { pixels in
                png_image_write_to_memory(&png, buffer.baseAddress, &size, 0, pixels.baseAddress, rowStride, nil)
            }
        }
        guard written != 0 else { throw failure(&png) }
        return Array(out.prefix(size))
    }

    private static func failure(_ png: inout png_image) -> EdgeflowError {
        let message = withUnsafeBytes(of: png.message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        png_image_free(&png)
        return EdgeflowError(.internalError, "PNG encoding failed (libpng: \(message))")
    }
}
