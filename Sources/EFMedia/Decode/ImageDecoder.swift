// The one entry point for turning image bytes into RGB pixels: sniffs the format from the
// magic bytes, dispatches to the per-format decoder and names the file in every error.

import EFCore
import Foundation

/// Decodes JPEG, PNG, WebP, HEIF/HEIC, GIF (first frame), TIFF (first page) and camera RAW
/// (embedded preview or LibRaw's demosaic) to RGB8.
///
/// Rules shared by every format (each decoder file states its own):
/// - the output is 3-channel RGB; gray is replicated, alpha is dropped without compositing
///   (as Pillow's `convert("RGB")`), 16-bit samples keep their high byte;
/// - the EXIF orientation is applied (unless `applyOrientation` is false);
/// - the stored size is checked against `maxPixels` from the header before decoding, and the
///   decoder's buffers (plus `DecodeOptions.plannedUse`) against `DecodeOptions.memoryBudget`;
/// - damaged data (truncated, corrupt, including what libjpeg calls warnings) is an error:
///   `EdgeflowError(.invalidInput)` saying what is wrong. Nothing on file data may crash.
public enum ImageDecoder {
    /// The format recognised from the magic bytes (never the file extension), or nil.
    public static func format(of bytes: [UInt8]) -> ImageFormat? {
        ImageFormat.sniff(bytes)
    }

    /// Decodes an image held in memory. Throws `invalidInput` for unknown, damaged or
    /// oversized images.
    public static func decode(bytes: [UInt8], options: DecodeOptions = .init()) throws -> DecodedImage {
        guard !bytes.isEmpty else {
            throw EdgeflowError(.invalidInput, "empty file (0 bytes), not an image")
        }
        guard let format = format(of: bytes) else {
            throw EdgeflowError(.invalidInput, "not an image (starts with \(preview(bytes))); "
                                    + "supported: \(ImageFormat.supportedList)")
        }
        let decoded: DecodedImage
        switch format {
        case .jpeg: decoded = try JPEGDecoder.decode(bytes, options: options)
        case .png: decoded = try PNGDecoder.decode(bytes, options: options)
        case .webp: decoded = try WebPDecoder.decode(bytes, options: options)
        case .heif: decoded = try HEIFDecoder.decode(bytes, options: options)
        case .gif: decoded = try GIFDecoder.decode(bytes, options: options)
        case .tiff: decoded = try TIFFDecoder.decode(bytes, options: options)
        case .raw: decoded = try RAWDecoder.decode(bytes, options: options)
        }
        return reducedAfterDecoding(decoded, options: options)
    }

    /// An image its decoder could not reduce (every format but a JPEG's DCT scaling or a HEIF
    /// thumbnail), reduced by Pillow's `reduce()` with the factor `draft` would pick when the
    /// options ask for a minimum size: the caller gets the same kind of image from any format.
    static func reducedAfterDecoding(_ decoded: DecodedImage, options: DecodeOptions) -> DecodedImage {
        guard decoded.reduction == "full", let minimumWidth = options.minimumWidth,
              let minimumHeight = options.minimumHeight else { return decoded }
        let factor = PillowReduce.draftFactor(width: decoded.image.width, height: decoded.image.height,
                                              minimumWidth: minimumWidth, minimumHeight: minimumHeight)
        guard factor > 1 else { return decoded }
        var reduced = decoded
        reduced.image = PillowReduce.reduce(decoded.image, by: factor)
        reduced.reduction = "box 1/\(factor)"
        return reduced
    }

    /// Reads and decodes a file. The file is read with a limit of `maxFileBytes(options)`
    /// (an endless or huge file is refused without reading it all). Errors are prefixed with the
    /// file name; an unreadable file is `.io`, a too large one `.invalidInput`.
    public static func decode(contentsOf url: URL, options: DecodeOptions = .init()) throws -> DecodedImage {
        let bytes = try BoundedRead.contents(of: url, limit: maxFileBytes(options), what: "image file",
                                             howToChange: "an image file may hold at most 3 bytes per pixel of "
                                                + "--max-pixels; raise --max-pixels if you trust this file")
        do {
            return try decode(bytes: bytes, options: options)
        } catch let error as EdgeflowError {
            throw error.prefixed(url.lastPathComponent)
        }
    }

    /// The largest image file `decode(contentsOf:)` reads: an RGB8 image of the pixel limit
    /// plus 1 MiB (3 × `effectiveMaxPixels` + 2^20 bytes, 513 MiB by default); no compressed photo is larger.
    public static func maxFileBytes(_ options: DecodeOptions) -> Int {
        3 * options.effectiveMaxPixels + (1 << 20)
    }

    /// The first bytes of a non-image, quoted for an error message.
    static func preview(_ bytes: [UInt8]) -> String {
        let head = bytes.prefix(8)
        let printable = head.allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x0A || $0 == 0x09 }
        if printable {
            let text = String(decoding: head, as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
            return "'\(text)\(bytes.count > head.count ? "…" : "")'"
        }
        return "bytes " + head.map { String(format: "%02X", $0) }.joined(separator: " ")
    }
}
