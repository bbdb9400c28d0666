// TIFF, first page, through libtiff's TIFFRGBAImage interface (TIFFGetField is variadic and
// cannot be called from Swift). The file is read from memory through TIFFClientOpenExt with
// a cap on libtiff's single allocations; libtiff's messages are captured, not printed.
//
// Rules: any strip/tile read error stops the decode (stoponerr = 1); the page is asked for in its stored row order and the Orientation tag (which
// TIFFRGBAImage reports) is applied by us, as Pillow's exif_transpose does; alpha is dropped.
// Known differences from Pillow: libtiff premultiplies unassociated alpha and rounds 16-bit
// samples to 8 bits instead of taking the high byte (such TIFFs can differ by more than 1).

import CTIFF
import EFCore
import Foundation

enum TIFFDecoder {
    /// The memory libtiff reads through its client callbacks, and its last error message.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        var lastError = ""
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        static func from(_ handle: thandle_t?) -> Source? {
            handle.map { Unmanaged<Source>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
        }
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        let source = Source(bytes)
        return try withExtendedLifetime(source) { try decode(source, options: options) }
    }

    private static func decode(_ source: Source, options: DecodeOptions) throws -> DecodedImage {
        guard let tiff = open(source, options: options) else {
            throw damaged("header", source)
        }
        defer { TIFFClose(tiff) }
        var message = [CChar](repeating: 0, count: 1024)
        var rgba = TIFFRGBAImage()
        guard TIFFRGBAImageBegin(&rgba, tiff, 1, &message) == 1 else {
            let text = String(cString: message)
            throw EdgeflowError(.invalidInput, "unsupported or damaged TIFF (libtiff: \(text.isEmpty ? source.lastError : text))")
        }
        defer { TIFFRGBAImageEnd(&rgba) }
        let w = Int(rgba.width), h = Int(rgba.height)
        try options.checkPixelLimit(width: w, height: h, format: "TIFF")
        let stored = Int(rgba.orientation)
        let orientation = options.applyOrientation && (1...8).contains(stored) ? stored : 1
        try checkMemory(tiff, width: w, height: h, contiguous: rgba.isContig != 0, orientation: orientation,
                        options: options)
        rgba.req_orientation = rgba.orientation  // rows in stored order; we apply the orientation
        var raster = [UInt32](repeating: 0, count: w * h)
        guard TIFFRGBAImageGet(&rgba, &raster, UInt32(w), UInt32(h)) == 1 else {
            throw damaged("image data (truncated or corrupt)", source)
        }
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for p in 0..<(w * h) {  // packed ABGR: R in the low byte
            let v = raster[p]
            rgb[3 * p] = UInt8(truncatingIfNeeded: v)
            rgb[3 * p + 1] = UInt8(truncatingIfNeeded: v >> 8)
            rgb[3 * p + 2] = UInt8(truncatingIfNeeded: v >> 16)
        }
        let image = try PixelImage(width: w, height: h, channels: 3, pixels: rgb)
        return DecodedImage(image: Orientation.apply(orientation, to: image), format: .tiff,
                            storedWidth: w, storedHeight: h, orientation: orientation, reduction: "full")
    }

    /// The decoder's peak: libtiff's strip or tile buffer (one per sample for separate planes),
    /// the ABGR raster, the RGB copy and the oriented copy.
    private static func checkMemory(_ tiff: OpaquePointer, width: Int, height: Int, contiguous: Bool,
                                    orientation: Int, options: DecodeOptions) throws {
        let block = TIFFIsTiled(tiff) != 0 ? TIFFTileSize64(tiff) : TIFFStripSize64(tiff)
        let blockBytes = try CheckedSize.multiply(try CheckedSize.int(block, "TIFF strip size"), contiguous ? 1 : 4,
                                                  "TIFF strip size")
        let pixels = width * height  // within the pixel limit
        let need = try CheckedSize.add(blockBytes, pixels * (orientation == 1 ? 7 : 10), "TIFF decoder memory")
        let swapped = Orientation.swapsAxes(orientation)
        try options.checkMemory(format: "TIFF", width: swapped ? height : width, height: swapped ? width : height,
                                decoderBytes: need)
    }

    /// Opens the first directory, with libtiff's single allocations capped near what
    /// `maxPixels` of 16-bit RGBA needs (at most half the image memory budget) and its
    /// messages routed into `source.lastError`.
    private static func open(_ source: Source, options: DecodeOptions) -> OpaquePointer? {
        guard let openOptions = TIFFOpenOptionsAlloc() else { return nil }
        defer { TIFFOpenOptionsFree(openOptions) }
        let cap = min(options.effectiveMaxPixels * 8 + (16 << 20), options.memoryBudget.limitBytes / 2)
        TIFFOpenOptionsSetMaxSingleMemAlloc(openOptions, tmsize_t(cap))
        let context = Unmanaged.passUnretained(source).toOpaque()
        let onError: TIFFErrorHandlerExtR = { _, user, module, format, arguments in
            guard let source = Source.from(user), let format, let arguments else { return 1 }
            var text = [CChar](repeating: 0, count: 512)
            vsnprintf(&text, text.count, format, arguments)
            source.lastError = (module.map { String(cString: $0) + ": " } ?? "") + String(cString: text)
            return 1
        }
        let quiet: TIFFErrorHandlerExtR = { _, _, _, _, _ in 1 }
        TIFFOpenOptionsSetErrorHandlerExtR(openOptions, onError, context)
        TIFFOpenOptionsSetWarningHandlerExtR(openOptions, quiet, nil)
        return TIFFClientOpenExt("memory", "rm", context, { handle, buffer, size in
            guard let source = Source.from(handle), let buffer, size > 0 else { return 0 }
            let n = max(0, min(Int(size), source.bytes.count - source.offset))
            guard n > 0 else { return 0 }
            source.bytes.withUnsafeBytes { file in
                if let base = file.baseAddress { buffer.copyMemory(from: base + source.offset, byteCount: n) }
            }
            source.offset += n
            return tmsize_t(n)
        }, { _, _, _ in 0 }, { handle, offset, whence in
            guard let source = Source.from(handle) else { return UInt64.max }
            let base = whence == SEEK_CUR ? source.offset : whence == SEEK_END ? source.bytes.count : 0
            let (target, overflow) = base.addingReportingOverflow(Int(truncatingIfNeeded: offset))
            guard !overflow, target >= 0 else { return UInt64.max }
            source.offset = target
            return UInt64(target)
        }, { _ in 0 }, { handle in
            UInt64(Source.from(handle)?.bytes.count ?? 0)
        }, { _, _, _ in 0 }, { _, _, _ in }, openOptions)
    }

    private static func damaged(_ part: String, _ source: Source) -> EdgeflowError {
        EdgeflowError(.invalidInput, "damaged TIFF \(part) (libtiff: \(source.lastError.isEmpty ? "unknown error" : source.lastError))",
                      hint: "the file is truncated or corrupt; re-export or re-download it")
    }
}
