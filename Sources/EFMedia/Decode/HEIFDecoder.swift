// HEIF/HEIC through libheif (1.15): primary image, or its embedded thumbnail when the caller
// allows a reduced image and a thumbnail is large enough; decoded to interleaved RGB.
// libheif applies the irot/imir transforms itself, so EXIF orientation is never applied on top.
// The pixels are decoded in a child process (IsolatedDecoding): libde265 is not safe on
// hostile streams.

import CHeif
import EFCore

enum HEIFDecoder {
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        guard let context = heif_context_alloc() else {
            throw EdgeflowError(.internalError, "libheif: cannot allocate a context")
        }
        defer { heif_context_free(context) }
        // libheif's per-dimension limit on every coded image ('ispe'), at most our pixel limit.
        heif_context_set_maximum_image_size_limit(context, Int32(min(32768, options.effectiveMaxPixels)))
        return try bytes.withUnsafeBytes { file in
            try check(heif_context_read_from_memory_without_copy(context, file.baseAddress, file.count, nil),
                      "damaged HEIF container")
            var primary: OpaquePointer?
            try check(heif_context_get_primary_image_handle(context, &primary), "HEIF file has no primary image")
            guard let primary else { throw EdgeflowError(.invalidInput, "HEIF file has no primary image") }
            defer { heif_image_handle_release(primary) }
            let w = Int(heif_image_handle_get_width(primary)), h = Int(heif_image_handle_get_height(primary))
            let ispeW = Int(heif_image_handle_get_ispe_width(primary))
            let ispeH = Int(heif_image_handle_get_ispe_height(primary))
            let (storedW, storedH) = ispeW > 0 && ispeH > 0 ? (ispeW, ispeH) : (w, h)
            try options.checkPixelLimit(width: max(w, storedW), height: max(h, storedH), format: "HEIF")
            if let thumbnail = suitableThumbnail(of: primary, options: options) {
                defer { heif_image_handle_release(thumbnail) }
                let image = try decodeRGB(thumbnail, options: options)
                return DecodedImage(image: image, format: .heif, storedWidth: storedW, storedHeight: storedH,
                                    orientation: 1, reduction: "thumbnail \(image.width)×\(image.height)",
                                    displayedSize: (w, h))
            }
            let image = try decodeRGB(primary, options: options)
            return DecodedImage(image: image, format: .heif, storedWidth: storedW, storedHeight: storedH,
                                orientation: 1, reduction: "full", displayedSize: (w, h))
        }
    }

    /// The TIFF structure of the primary image's first Exif metadata block, or nil. Reads the
    /// container only (nothing is decoded): the block starts with a 32-bit big-endian offset to
    /// the TIFF header.
    static func exifTIFF(_ bytes: [UInt8]) -> [UInt8]? {
        guard let context = heif_context_alloc() else { return nil }
        defer { heif_context_free(context) }
        return bytes.withUnsafeBytes { file -> [UInt8]? in
            var primary: OpaquePointer?
            guard heif_context_read_from_memory_without_copy(context, file.baseAddress, file.count, nil).code
                    == heif_error_Ok,
                  heif_context_get_primary_image_handle(context, &primary).code == heif_error_Ok,
                  let primary else { return nil }
            defer { heif_image_handle_release(primary) }
            var id = heif_item_id()
            guard heif_image_handle_get_list_of_metadata_block_IDs(primary, "Exif", &id, 1) == 1 else { return nil }
            let size = heif_image_handle_get_metadata_size(primary, id)
            guard size >= 4, size <= min(bytes.count, 1 << 20) else { return nil }
            var block = [UInt8](repeating: 0, count: size)
            guard heif_image_handle_get_metadata(primary, id, &block).code == heif_error_Ok,
                  let offset = block.uint32(at: 0, bigEndian: true), offset <= size - 4 else { return nil }
            return Array(block[(4 + offset)...])
        }
    }

    /// The smallest embedded thumbnail at least `minimumWidth × minimumHeight` (displayed
    /// size, as libheif reports it), or nil when none is requested or large enough.
    private static func suitableThumbnail(of primary: OpaquePointer, options: DecodeOptions) -> OpaquePointer? {
        guard let minW = options.minimumWidth, let minH = options.minimumHeight else { return nil }
        let count = Int(heif_image_handle_get_number_of_thumbnails(primary))
        guard count > 0 else { return nil }
        var ids = [heif_item_id](repeating: 0, count: count)
        let listed = Int(heif_image_handle_get_list_of_thumbnail_IDs(primary, &ids, Int32(count)))
        var best: (handle: OpaquePointer, pixels: Int)?
        for id in ids.prefix(listed) {
            var handle: OpaquePointer?
            guard heif_image_handle_get_thumbnail(primary, id, &handle).code == heif_error_Ok, let handle else {
                continue
            }
            let w = Int(heif_image_handle_get_width(handle)), h = Int(heif_image_handle_get_height(handle))
            let fits = w <= options.effectiveMaxPixels / max(h, 1)
            if w >= minW, h >= minH, fits, best.map({ w * h < $0.pixels }) ?? true {
                if let previous = best { heif_image_handle_release(previous.handle) }
                best = (handle, w * h)
            } else {
                heif_image_handle_release(handle)
            }
        }
        return best?.handle
    }

    /// Decodes a handle to 8-bit interleaved RGB (alpha, if any, is not requested); the
    /// handle's size is checked against the pixel limit first.
    private static func decodeRGB(_ handle: OpaquePointer, options: DecodeOptions) throws -> PixelImage {
        let hw = Int(heif_image_handle_get_width(handle)), hh = Int(heif_image_handle_get_height(handle))
        try options.checkPixelLimit(width: hw, height: hh, format: "HEIF")
        // libheif's decoded planes (up to 16-bit 4:4:4) and its interleaved RGB, then our copy.
        try options.checkMemory(format: "HEIF", width: hw, height: hh, decoderBytes: hw * hh * 12)
        // libde265 is not safe on hostile streams: decode in a child process we can stop.
        let seconds = 2 + Double(hw * hh) / 1_000_000  // a 12 MP photo decodes in under 1 s
        let outcome = try IsolatedDecoding.run(what: "HEIF", capacity: hw * hh * 3,
                                               memoryLimit: options.memoryBudget.limitBytes, seconds: seconds) { out in
            try decodeInterleaved(handle, declaredWidth: hw, declaredHeight: hh, into: out)
        }
        switch outcome {
        case .failure(let message):
            throw EdgeflowError(.invalidInput, message,
                                hint: "the file is truncated, corrupt or uses a HEIF feature libheif cannot decode")
        case .pixels(let w, let h, let pixels):
            guard w >= 1, h >= 1, w <= hw, h <= hh, pixels.count == w * h * 3 else {
                throw EdgeflowError(.invalidInput,
                                    "HEIF decode produced \(w)×\(h), not within the declared \(hw)×\(hh)")
            }
            return try PixelImage(width: w, height: h, channels: 3, pixels: pixels)
        }
    }

    /// Decodes `handle` to interleaved RGB in `out` (in the decoder process); returns the size
    /// and the number of bytes written.
    private static func decodeInterleaved(_ handle: OpaquePointer, declaredWidth hw: Int, declaredHeight hh: Int,
                                          into out: UnsafeMutableRawBufferPointer) throws -> (Int, Int, Int) {
        var image: OpaquePointer?
        try check(heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nil),
                  "damaged HEIF image data")
        guard let image else { throw EdgeflowError(.invalidInput, "damaged HEIF image data") }
        defer { heif_image_release(image) }
        let w = Int(heif_image_get_width(image, heif_channel_interleaved))
        let h = Int(heif_image_get_height(image, heif_channel_interleaved))
        guard w >= 1, h >= 1 else { throw EdgeflowError(.invalidInput, "HEIF decode produced an empty image") }
        guard w <= hw, h <= hh else {
            throw EdgeflowError(.invalidInput, "HEIF decode produced \(w)×\(h), larger than the declared \(hw)×\(hh)")
        }
        var stride: Int32 = 0
        guard let plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride), Int(stride) >= w * 3,
              let base = out.baseAddress, out.count >= w * h * 3 else {
            throw EdgeflowError(.invalidInput, "HEIF decode produced no RGB plane")
        }
        for y in 0..<h {
            (base + y * w * 3).copyMemory(from: plane + y * Int(stride), byteCount: w * 3)
        }
        return (w, h, w * h * 3)
    }

    private static func check(_ error: heif_error, _ what: String) throws {
        guard error.code != heif_error_Ok else { return }
        let detail = error.message.map { String(cString: $0) } ?? "code \(error.code.rawValue)"
        throw EdgeflowError(.invalidInput, "\(what) (libheif: \(detail))",
                            hint: "the file is truncated, corrupt or uses a HEIF feature libheif cannot decode")
    }
}
