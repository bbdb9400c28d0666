// PNG through libpng's simplified API (png_image_*; the classic API needs setjmp).
//
// Rules (matching Pillow's Image.open → convert("RGB")):
// - colour-management chunks are ignored (see PNGChunks), so 8-bit samples pass unchanged;
// - 16-bit samples keep their high byte (Pillow's "RGB;16B"). Without alpha, the file is
//   read as 16-bit "linear" (no gamma chunk ⇒ libpng does not convert) and shifted: exact.
//   With alpha, libpng's 16-bit output is premultiplied (colour lost where alpha = 0), so
//   the file is declared sRGB and read as 8-bit instead, which rounds v/257 rather than
//   truncating v/256: at most 1 off the high byte;
// - alpha (alpha channel or tRNS) is dropped without compositing; gray is replicated;
// - the eXIf orientation is applied, as Pillow's exif_transpose does.

import CPNG
import EFCore

enum PNGDecoder {
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        let chunks = try PNGChunks(bytes)
        try options.checkPixelLimit(width: chunks.width, height: chunks.height, format: "PNG")
        let w = chunks.width, h = chunks.height
        let orientation = options.applyOrientation ? chunks.exif.map(ExifOrientation.read) ?? 1 : 1
        try checkMemory(chunks, orientation: orientation, options: options)
        let decoded = try PixelImage(width: w, height: h, channels: 3, pixels: try readRGB(chunks))
        return DecodedImage(image: Orientation.apply(orientation, to: decoded), format: .png,
                            storedWidth: w, storedHeight: h, orientation: orientation, reduction: "full")
    }

    /// The decoder's peak, from IHDR (within the pixel limit, so no product overflows): the
    /// filtered file copies, libpng's output (16-bit RGB or 8-bit RGBA) with the RGB copy made
    /// from it, then the RGB image with its oriented copy.
    private static func checkMemory(_ chunks: PNGChunks, orientation: Int, options: DecodeOptions) throws {
        let pixels = chunks.width * chunks.height
        let wide = chunks.bitDepth == 16 && !chunks.hasAlpha
        let files = chunks.filtered.count * (chunks.bitDepth == 16 ? 2 : 1)
        var need = files + pixels * (wide ? 6 : 4) + pixels * 3
        if orientation != 1 { need = max(need, 6 * pixels) }
        let swapped = Orientation.swapsAxes(orientation)
        try options.checkMemory(format: "PNG", width: swapped ? chunks.height : chunks.width,
                                height: swapped ? chunks.width : chunks.height, decoderBytes: need)
    }

    /// The pixels as 8-bit RGB; libpng's wider buffer is released on return.
    private static func readRGB(_ chunks: PNGChunks) throws -> [UInt8] {
        let pixels = chunks.width * chunks.height
        if chunks.bitDepth == 16 && !chunks.hasAlpha {
            var wide = [UInt16](repeating: 0, count: pixels * 3)
            try wide.withUnsafeMutableBytes {
                try read(chunks.filtered, format: PNGFormat.linearRGB, chunks: chunks, into: $0)
            }
            return wide.map { UInt8(truncatingIfNeeded: $0 >> 8) }
        }
        let input = chunks.bitDepth == 16 ? chunks.filteredDeclaringSRGB() : chunks.filtered
        var rgba = [UInt8](repeating: 0, count: pixels * 4)
        try rgba.withUnsafeMutableBytes { try read(input, format: PNGFormat.rgba, chunks: chunks, into: $0) }
        return dropAlpha(rgba, pixels: pixels)
    }

    /// Runs png_image begin/finish on `input` (kept alive and pinned for both calls) into
    /// `output`, which must hold width × height pixels of `format`.
    private static func read(_ input: [UInt8], format: UInt32, chunks: PNGChunks, into output: UnsafeMutableRawBufferPointer) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        try input.withUnsafeBytes { file in
            guard png_image_begin_read_from_memory(&image, file.baseAddress, file.count) != 0 else {
                throw failure(&image, "damaged PNG header")
            }
            guard Int(image.width) == chunks.width, Int(image.height) == chunks.height else {
                png_image_free(&image)
                throw EdgeflowError(.invalidInput, "damaged PNG header (inconsistent size)")
            }
            image.format = format
            guard png_image_finish_read(&image, nil, output.baseAddress, 0, nil) != 0 else {
                throw failure(&image, "damaged PNG data")
            }
        }
    }

    static func dropAlpha(_ rgba: [UInt8], pixels: Int) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: pixels * 3)
        for p in 0..<pixels {
            rgb[3 * p] = rgba[4 * p]
            rgb[3 * p + 1] = rgba[4 * p + 1]
            rgb[3 * p + 2] = rgba[4 * p + 2]
        }
        return rgb
    }

    /// The libpng message as an error; frees the png_image (libpng frees it on failure too,
    /// and png_image_free is safe to call twice).
    private static func failure(_ image: inout png_image, _ what: String) -> EdgeflowError {
        let message = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        png_image_free(&image)
        return EdgeflowError(.invalidInput, "\(what) (libpng: \(message.isEmpty ? "unknown error" : message))",
                             hint: "the file is truncated or corrupt; re-export or re-download it")
    }
}
