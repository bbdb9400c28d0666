// JPEG through TurboJPEG (libjpeg-turbo 2.1): header, pixel limit, scaled IDCT chosen like
// Pillow's draft, decode to RGB (gray replicated, CMYK/YCCK converted as Pillow does), EXIF
// orientation from APP1.
//
// Rule on damaged data: every libjpeg warning ("Premature end of JPEG file", "Corrupt JPEG
// data: …") is an error (TJFLAG_STOPONWARNING), so a truncated or corrupt JPEG never comes
// back as a silently grey-filled image. This refuses some damaged files Pillow would open.

import CTurboJPEG
import EFCore

enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else {
            throw EdgeflowError(.internalError, "TurboJPEG: cannot create a decompressor")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling,
                                &colorspace)
        }
        guard headerStatus == 0 else {
            let reason = errorText(handle)
            if JPEGFallbackDecoder.handles(reason) { return try JPEGFallbackDecoder.decode(bytes, options: options) }
            throw EdgeflowError(.invalidInput, "damaged JPEG header (\(reason))")
        }
        try options.checkPixelLimit(width: Int(width), height: Int(height), format: "JPEG")
        let orientation = options.applyOrientation ? JPEGMarkers.orientation(bytes) : 1
        let scale = draftScale(width: Int(width), height: Int(height), orientation: orientation, options: options)
        let outW = scaled(Int(width), by: scale), outH = scaled(Int(height), by: scale)

        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let format = isCMYK ? TJPF_CMYK : TJPF_RGB
        let channels = isCMYK ? 4 : 3
        try checkMemory(bytes, size: (Int(width), Int(height)), output: (outW, outH), channels: channels,
                        gray: subsampling == Int32(TJSAMP_GRAY.rawValue), orientation: orientation, options: options)
        var raw = [UInt8](repeating: 0, count: outW * outH * channels)
        let status = bytes.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(src.count), dst.baseAddress, Int32(outW), 0,
                              Int32(outH), Int32(format.rawValue), TJFLAG_STOPONWARNING)
            }
        }
        guard status == 0 else {
            let reason = errorText(handle)
            let what = reason.contains("Premature end") ? "truncated JPEG data" : "damaged JPEG data"
            throw EdgeflowError(.invalidInput, "\(what) (\(reason))",
                                hint: "the file is truncated or corrupt; re-export or re-download it")
        }
        let rgb = isCMYK ? invertedCMYKToRGB(raw) : raw
        let image = try PixelImage(width: outW, height: outH, channels: 3, pixels: rgb)
        return DecodedImage(image: Orientation.apply(orientation, to: image), format: .jpeg,
                            storedWidth: Int(width), storedHeight: Int(height), orientation: orientation,
                            reduction: scale == 1 ? "full" : "DCT 1/\(scale)")
    }

    /// The decoder's peak from the header (sizes already within the pixel limit, so no product
    /// overflows): the TurboJPEG output, the CMYK → RGB copy, the oriented copy, and for
    /// progressive files libjpeg's whole-image coefficient buffer (2 bytes per sample).
    private static func checkMemory(_ bytes: [UInt8], size: (Int, Int), output: (Int, Int), channels: Int, gray: Bool,
                                    orientation: Int, options: DecodeOptions) throws {
        let outPixels = output.0 * output.1
        var need = outPixels * channels + (channels == 4 ? 3 * outPixels : 0)
        if orientation != 1 { need += 3 * outPixels }
        if JPEGMarkers.isProgressive(bytes) { need += size.0 * size.1 * 2 * (gray ? 1 : channels) }
        let swapped = Orientation.swapsAxes(orientation)
        try options.checkMemory(format: "JPEG", width: swapped ? output.1 : output.0,
                                height: swapped ? output.0 : output.1, decoderBytes: need)
    }

    /// The IDCT scale denominator (1, 2, 4 or 8) Pillow's `draft("RGB", (w, h))` picks:
    /// `s = min(W / w, H / h)` (integer division on the stored size), then the largest of 8, 4, 2, 1
    /// not above it. Minimums are given in displayed coordinates, so they are swapped for
    /// orientations 5–8. Only factors TurboJPEG offers are used.
    static func draftScale(width: Int, height: Int, orientation: Int, options: DecodeOptions) -> Int {
        guard let minW = options.minimumWidth, let minH = options.minimumHeight, minW >= 1, minH >= 1 else { return 1 }
        let (storedMinW, storedMinH) = Orientation.swapsAxes(orientation) ? (minH, minW) : (minW, minH)
        let ratio = min(width / storedMinW, height / storedMinH)
        let available = availableDenominators()
        return [8, 4, 2].first { ratio >= $0 && available.contains($0) } ?? 1
    }

    /// TurboJPEG's TJSCALED(dimension, 1/denominator): the ceiling of dimension / denominator.
    static func scaled(_ dimension: Int, by denominator: Int) -> Int {
        (dimension + denominator - 1) / denominator
    }

    /// Denominators d for which TurboJPEG offers the scaling factor 1/d.
    private static func availableDenominators() -> Set<Int> {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return [] }
        var result = Set<Int>()
        for index in 0..<Int(count) where factors[index].num == 1 {
            result.insert(Int(factors[index].denom))
        }
        return result
    }

    /// Pillow's CMYK handling: every 4-component JPEG is taken as Adobe-inverted ("CMYK;I"),
    /// then `convert("RGB")` computes R = (255 − K') − round(C' × (255 − K') / 255) on the
    /// re-inverted values C' = 255 − stored (likewise G, B), with Pillow's divide-by-255 rounding.
    static func invertedCMYKToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        let pixels = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: pixels * 3)
        for p in 0..<pixels {
            let nk = Int(cmyk[4 * p + 3])  // 255 − K' where K' = 255 − stored K
            for k in 0..<3 {
                let c = 255 - Int(cmyk[4 * p + k])
                let t = c * nk + 128
                rgb[3 * p + k] = UInt8(clamping: nk - ((t >> 8) + t) >> 8)
            }
        }
        return rgb
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }
}
