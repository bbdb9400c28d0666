// WebP through libwebp: features (size, animation), decode to RGB (alpha dropped, as
// Pillow's convert("RGB")), EXIF orientation from the RIFF "EXIF" chunk.
// Animated WebP is refused with a clear error (libwebp's simple decoder cannot read frames).

import CWebP
import EFCore

enum WebPDecoder {
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        var features = WebPBitstreamFeatures()
        let status = bytes.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &features) }
        guard status == VP8_STATUS_OK else {
            throw EdgeflowError(.invalidInput, "damaged WebP header (libwebp status \(status.rawValue))")
        }
        guard features.has_animation == 0 else {
            throw EdgeflowError(.invalidInput, "animated WebP is not supported",
                                hint: "extract a frame first (e.g. with webpmux -get frame 1)")
        }
        let w = Int(features.width), h = Int(features.height)
        try options.checkPixelLimit(width: w, height: h, format: "WebP")
        let orientation = options.applyOrientation ? exifChunk(bytes).map(ExifOrientation.read) ?? 1 : 1
        // Our RGB buffer, libwebp's whole-image ARGB buffer (lossless), the oriented copy.
        let swapped = Orientation.swapsAxes(orientation)
        try options.checkMemory(format: "WebP", width: swapped ? h : w, height: swapped ? w : h,
                                decoderBytes: w * h * (orientation == 1 ? 7 : 10))
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        let decoded = bytes.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                WebPDecodeRGBInto(src.baseAddress, src.count, dst.baseAddress, dst.count, Int32(w * 3))
            }
        }
        guard decoded != nil else {
            throw EdgeflowError(.invalidInput, "damaged WebP data (truncated or corrupt)",
                                hint: "the file is truncated or corrupt; re-export or re-download it")
        }
        let image = try PixelImage(width: w, height: h, channels: 3, pixels: rgb)
        return DecodedImage(image: Orientation.apply(orientation, to: image), format: .webp,
                            storedWidth: w, storedHeight: h, orientation: orientation, reduction: "full")
    }

    /// The payload of the first RIFF "EXIF" chunk, or nil (bounds-checked walk).
    static func exifChunk(_ bytes: [UInt8]) -> [UInt8]? {
        var offset = 12  // "RIFF" size "WEBP"
        while let fourCC = bytes.bytes(at: offset, length: 4), let size = bytes.uint32(at: offset + 4, bigEndian: false) {
            if fourCC == Array("EXIF".utf8) { return bytes.bytes(at: offset + 8, length: size) }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
