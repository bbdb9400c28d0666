// Camera RAW files (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF, PEF, …) through LibRaw 0.20. When the
// caller allows a reduced image, the camera's embedded JPEG preview is used if it is large enough
// (the camera's own rendering, and a few milliseconds instead of a demosaic); otherwise LibRaw
// demosaics the sensor data (half size when that is still large enough) with the camera's white
// balance into 8-bit sRGB, as rawpy's `postprocess(use_camera_wb=True, output_bps=8)` does.
// LibRaw parses the maker notes of hundreds of cameras, so all of its work runs in child
// processes (IsolatedDecoding): a probe that reads the sizes and copies the preview out, then the
// demosaic when it is needed. The preview itself is decoded here, by the JPEG decoder. The
// camera's orientation is always applied (by LibRaw when it demosaics).

import COpenMP
import CRaw
import EFCore

enum RAWDecoder {
    /// What the probe reports in the first bytes of its output; the preview JPEG follows.
    private struct Probe {
        var width: Int32
        var height: Int32
        var rawWidth: Int32
        var rawHeight: Int32
        var flip: Int32
        var previewLength: Int32
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        let (probe, preview) = try self.probe(bytes, options: options)
        let width = Int(probe.width), height = Int(probe.height)
        let orientation = exifOrientation(flip: Int(probe.flip))
        let swapped = Orientation.swapsAxes(orientation)
        let displayed = swapped ? (height, width) : (width, height)
        if let preview, let image = try previewImage(preview, orientation: orientation, options: options) {
            return DecodedImage(image: image.image, format: .raw, storedWidth: width, storedHeight: height,
                                orientation: orientation, reduction: image.reduction, displayedSize: displayed)
        }
        return try demosaic(bytes, width: width, height: height, rawSize: (Int(probe.rawWidth), Int(probe.rawHeight)),
                            orientation: orientation, options: options)
    }

    /// Sizes, orientation and (when a reduced image is allowed) the embedded JPEG preview.
    private static func probe(_ bytes: [UInt8], options: DecodeOptions) throws -> (Probe, [UInt8]?) {
        let headerSize = MemoryLayout<Probe>.stride
        let wantsPreview = options.minimumWidth != nil && options.minimumHeight != nil
        let outcome = try IsolatedDecoding.run(what: "RAW", capacity: headerSize + bytes.count,
                                               memoryLimit: options.memoryBudget.limitBytes, seconds: 5) { out in
            try withLibRaw(bytes) { raw in
                let sizes = raw.pointee.sizes
                var probe = Probe(width: Int32(sizes.width), height: Int32(sizes.height),
                                  rawWidth: Int32(sizes.raw_width), rawHeight: Int32(sizes.raw_height),
                                  flip: Int32(sizes.flip), previewLength: 0)
                try options.checkPixelLimit(width: max(Int(sizes.width), Int(sizes.raw_width)),
                                            height: max(Int(sizes.height), Int(sizes.raw_height)), format: "RAW")
                if wantsPreview { probe.previewLength = Int32(copyPreview(raw, into: out, at: headerSize)) }
                out.storeBytes(of: probe, as: Probe.self)
                return (Int(probe.width), Int(probe.height), headerSize + Int(probe.previewLength))
            }
        }
        switch outcome {
        case .failure(let message):
            throw EdgeflowError(.invalidInput, message, hint: hint)
        case .pixels(_, _, let payload):
            guard payload.count >= headerSize else {
                throw EdgeflowError(.internalError, "RAW: the probe reported \(payload.count) bytes")
            }
            let probe = payload.withUnsafeBytes { $0.loadUnaligned(as: Probe.self) }
            // Checked again here: a child that LibRaw's bugs took over could report anything.
            try options.checkPixelLimit(width: Int(probe.width), height: Int(probe.height), format: "RAW")
            try options.checkPixelLimit(width: Int(probe.rawWidth), height: Int(probe.rawHeight), format: "RAW")
            let length = Int(probe.previewLength)
            guard length >= 0, headerSize + length <= payload.count else {
                throw EdgeflowError(.internalError, "RAW: the probe reported a preview of \(length) bytes")
            }
            return (probe, length > 0 ? Array(payload[headerSize..<(headerSize + length)]) : nil)
        }
    }

    /// Copies the largest embedded preview into `out` at `offset` when it is a JPEG that fits;
    /// returns its length (0: none).
    private static func copyPreview(_ raw: UnsafeMutablePointer<libraw_data_t>, into out: UnsafeMutableRawBufferPointer,
                                    at offset: Int) -> Int {
        guard libraw_unpack_thumb(raw) == LIBRAW_SUCCESS.rawValue else { return 0 }
        var error: Int32 = 0
        guard let thumb = libraw_dcraw_make_mem_thumb(raw, &error) else { return 0 }
        defer { libraw_dcraw_clear_mem(thumb) }
        let length = Int(thumb.pointee.data_size)
        guard thumb.pointee.type == LIBRAW_IMAGE_JPEG, length > 0, offset + length <= out.count,
              let base = out.baseAddress else { return 0 }
        withUnsafePointer(to: &thumb.pointee.data) { data in
            (base + offset).copyMemory(from: UnsafeRawPointer(data), byteCount: length)
        }
        return length
    }

    /// The preview decoded (DCT-scaled to the minimum) and oriented, or nil when it is smaller
    /// than the caller's minimum or is not a JPEG the decoder reads.
    private static func previewImage(_ jpeg: [UInt8], orientation: Int, options: DecodeOptions)
        throws -> (image: PixelImage, reduction: String)? {
        guard let minimumWidth = options.minimumWidth, let minimumHeight = options.minimumHeight else { return nil }
        // The minimum is in displayed coordinates; the preview is stored like the sensor data.
        let swapped = Orientation.swapsAxes(orientation)
        var jpegOptions = options
        jpegOptions.applyOrientation = false
        jpegOptions.minimumWidth = swapped ? minimumHeight : minimumWidth
        jpegOptions.minimumHeight = swapped ? minimumWidth : minimumHeight
        guard ImageFormat.sniff(jpeg) == .jpeg, let decoded = try? JPEGDecoder.decode(jpeg, options: jpegOptions),
              decoded.storedWidth >= jpegOptions.minimumWidth!, decoded.storedHeight >= jpegOptions.minimumHeight!
        else { return nil }
        let scaling = decoded.reduction == "full" ? "" : ", \(decoded.reduction)"
        return (Orientation.apply(orientation, to: decoded.image),
                "preview \(decoded.storedWidth)×\(decoded.storedHeight)\(scaling)")
    }

    /// LibRaw's demosaic in a child process: half size when that still meets the caller's
    /// minimum, camera white balance, sRGB, 8 bits, orientation applied.
    private static func demosaic(_ bytes: [UInt8], width: Int, height: Int, rawSize: (Int, Int), orientation: Int,
                                 options: DecodeOptions) throws -> DecodedImage {
        let swapped = Orientation.swapsAxes(orientation)
        let (displayedW, displayedH) = swapped ? (height, width) : (width, height)
        let half = options.minimumWidth.map { displayedW / 2 >= $0 } == true
            && options.minimumHeight.map { displayedH / 2 >= $0 } == true
        let outW = half ? (width + 1) / 2 : width, outH = half ? (height + 1) / 2 : height
        // The sensor data (16 bits a sample), LibRaw's 4-sample working image, its 8-bit output, our copy.
        let rawBytes = try CheckedSize.multiply(rawSize.0, rawSize.1, "RAW sensor data") * 2
        try options.checkMemory(format: "RAW", width: outW, height: outH,
                                decoderBytes: rawBytes + outW * outH * 8 + outW * outH * 3)
        // A few cameras have non-square pixels, which LibRaw stretches: up to twice the pixels.
        let capacity = try CheckedSize.multiply(outW * outH, 6, "RAW output")
        let seconds = 5 + Double(width * height) / 2_000_000
        let outcome = try IsolatedDecoding.run(what: "RAW", capacity: capacity,
                                               memoryLimit: options.memoryBudget.limitBytes, seconds: seconds) { out in
            try withLibRaw(bytes) { raw in
                raw.pointee.params.half_size = half ? 1 : 0
                raw.pointee.params.use_camera_wb = 1
                raw.pointee.params.output_bps = 8
                try check(libraw_unpack(raw), "cannot read the sensor data")
                try check(libraw_dcraw_process(raw), "cannot process the sensor data")
                var error: Int32 = 0
                guard let image = libraw_dcraw_make_mem_image(raw, &error) else {
                    throw EdgeflowError(.invalidInput, "RAW: LibRaw made no image (\(message(error)))")
                }
                defer { libraw_dcraw_clear_mem(image) }
                let w = Int(image.pointee.width), h = Int(image.pointee.height)
                guard image.pointee.type == LIBRAW_IMAGE_BITMAP, image.pointee.colors == 3, image.pointee.bits == 8,
                      w >= 1, h >= 1, w <= out.count / 3 / h, Int(image.pointee.data_size) == w * h * 3,
                      let base = out.baseAddress else {
                    throw EdgeflowError(.invalidInput, "RAW: LibRaw made an image of an unexpected layout")
                }
                withUnsafePointer(to: &image.pointee.data) {
                    base.copyMemory(from: UnsafeRawPointer($0), byteCount: w * h * 3)
                }
                return (w, h, w * h * 3)
            }
        }
        switch outcome {
        case .failure(let message):
            throw EdgeflowError(.invalidInput, message, hint: hint)
        case .pixels(let w, let h, let pixels):
            guard w >= 1, h >= 1, pixels.count == w * h * 3 else {
                throw EdgeflowError(.invalidInput, "RAW: the demosaic produced \(w)×\(h) from \(pixels.count) bytes")
            }
            let image = try PixelImage(width: w, height: h, channels: 3, pixels: pixels)
            let full = DecodedImage(image: image, format: .raw, storedWidth: width, storedHeight: height,
                                    orientation: orientation, reduction: "full",
                                    displayedSize: (displayedW, displayedH))
            guard half else { return full }
            var reduced = ImageDecoder.reducedAfterDecoding(full, options: options)
            reduced.reduction = "half-size demosaic" + (reduced.reduction == "full" ? "" : ", \(reduced.reduction)")
            return reduced
        }
    }

    /// Runs `body` with LibRaw opened on `bytes` (in the child: one OpenMP thread, as the
    /// preparing thread's share of the cores).
    private static func withLibRaw<T>(_ bytes: [UInt8], _ body: (UnsafeMutablePointer<libraw_data_t>) throws -> T)
        throws -> T {
        omp_set_num_threads(1)
        guard let raw = libraw_init(0) else { throw EdgeflowError(.internalError, "RAW: cannot start LibRaw") }
        defer { libraw_close(raw) }
        try bytes.withUnsafeBytes { file in
            try check(libraw_open_buffer(raw, UnsafeMutableRawPointer(mutating: file.baseAddress), file.count),
                      "not a RAW file LibRaw reads")
        }
        return try body(raw)
    }

    /// LibRaw's flip (bit 0 mirror across, bit 1 mirror down, bit 2 transpose) as an EXIF
    /// orientation: the inverse of dcraw's "50132467"[orientation & 7].
    static func exifOrientation(flip: Int) -> Int {
        [1, 2, 4, 3, 5, 8, 6, 7][flip & 7]
    }

    private static let hint = "the file is truncated, damaged or from a camera LibRaw 0.20 does not know"

    private static func check(_ code: Int32, _ what: String) throws {
        guard code != LIBRAW_SUCCESS.rawValue else { return }
        throw EdgeflowError(.invalidInput, "RAW: \(what) (LibRaw: \(message(code)))")
    }

    private static func message(_ code: Int32) -> String {
        libraw_strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
