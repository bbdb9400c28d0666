// The JPEGs TurboJPEG's API refuses at the header but libjpeg reads: 4-component (CMYK/YCCK)
// files with sampling factors TurboJPEG cannot classify (Pillow writes them with subsampling 1
// or 2). Decoded by libjpeg itself (CJPEGFallback) to CMYK, then converted as Pillow converts.

import CJPEGFallback
import EFCore

enum JPEGFallbackDecoder {
    /// True for TurboJPEG's header refusal this decoder handles.
    static func handles(_ turboJPEGError: String) -> Bool {
        turboJPEGError.contains("Could not determine subsampling type")
    }

    /// The image of a 4-component JPEG, at the draft scale Pillow would choose.
    /// - Throws: `EdgeflowError.invalidInput` for damaged data or another kind of JPEG;
    ///   the decode options' pixel and memory limits.
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        let full = try header(bytes, denominator: 1)
        guard full.components == 4 else {
            throw EdgeflowError(.invalidInput, "damaged JPEG header (\(full.components) components with sampling "
                                    + "factors TurboJPEG cannot read)")
        }
        try options.checkPixelLimit(width: full.width, height: full.height, format: "JPEG")
        let orientation = options.applyOrientation ? JPEGMarkers.orientation(bytes) : 1
        let scale = JPEGDecoder.draftScale(width: full.width, height: full.height, orientation: orientation,
                                           options: options)
        let out = try header(bytes, denominator: scale)
        let swapped = Orientation.swapsAxes(orientation)
        try options.checkMemory(format: "JPEG", width: swapped ? out.outputHeight : out.outputWidth,
                                height: swapped ? out.outputWidth : out.outputHeight,
                                decoderBytes: out.outputWidth * out.outputHeight * (4 + 3 + 3)
                                    + (JPEGMarkers.isProgressive(bytes) ? full.width * full.height * 8 : 0))
        var cmyk = [UInt8](repeating: 0, count: out.outputWidth * out.outputHeight * 4)
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { src in
            cmyk.withUnsafeMutableBufferPointer { dst in
                ef_jpeg_decode_cmyk(src.baseAddress, src.count, Int32(scale), dst.baseAddress, dst.count,
                                    &message, message.count)
            }
        }
        guard status == 0 else {
            let reason = String(cString: message)
            let what = reason.contains("Premature end") ? "truncated JPEG data" : "damaged JPEG data"
            throw EdgeflowError(.invalidInput, "\(what) (\(reason))",
                                hint: "the file is truncated or corrupt; re-export or re-download it")
        }
        let image = try PixelImage(width: out.outputWidth, height: out.outputHeight, channels: 3,
                                   pixels: JPEGDecoder.invertedCMYKToRGB(cmyk))
        return DecodedImage(image: Orientation.apply(orientation, to: image), format: .jpeg,
                            storedWidth: full.width, storedHeight: full.height, orientation: orientation,
                            reduction: scale == 1 ? "full" : "DCT 1/\(scale)")
    }

    private struct Header {
        var width: Int, height: Int, components: Int, outputWidth: Int, outputHeight: Int
    }

    private static func header(_ bytes: [UInt8], denominator: Int) throws -> Header {
        var width: Int32 = 0, height: Int32 = 0, components: Int32 = 0, outW: Int32 = 0, outH: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer {
            ef_jpeg_header($0.baseAddress, $0.count, Int32(denominator), &width, &height, &components, &outW, &outH,
                           &message, message.count)
        }
        guard status == 0 else {
            throw EdgeflowError(.invalidInput, "damaged JPEG header (\(String(cString: message)))")
        }
        return Header(width: Int(width), height: Int(height), components: Int(components),
                      outputWidth: Int(outW), outputHeight: Int(outH))
    }
}
