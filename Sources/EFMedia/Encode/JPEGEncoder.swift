// Writes a PixelImage as a baseline JPEG through TurboJPEG (tjCompress2), e.g. the photo
// library's thumbnails.

import CTurboJPEG
import EFCore

/// JPEG encoding of 8-bit images.
public enum JPEGEncoder {
    /// The JPEG bytes of `image`: gray (1 channel) or RGB (3), 4:2:0 chroma for RGB.
    /// - Parameter quality: 1...100.
    /// - Throws: `invalidArgument` for another channel count or quality; `internalError` when
    ///   TurboJPEG fails.
    public static func encode(_ image: PixelImage, quality: Int = 85) throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw EdgeflowError(.invalidArgument, "JPEG quality \(quality) is outside 1...100")
        }
        let format: TJPF, subsampling: TJSAMP
        switch image.channels {
        case 1: (format, subsampling) = (TJPF_GRAY, TJSAMP_GRAY)
        case 3: (format, subsampling) = (TJPF_RGB, TJSAMP_420)
        default:
            throw EdgeflowError(.invalidArgument, "a JPEG holds 1 or 3 channels, not \(image.channels)")
        }
        guard let handle = tjInitCompress() else {
            throw EdgeflowError(.internalError, "TurboJPEG: cannot start a compressor")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), Int32(image.rowBytes), Int32(image.height),
                        Int32(format.rawValue), &output, &size, Int32(subsampling.rawValue), Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            let reason = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw EdgeflowError(.internalError, "TurboJPEG could not encode a \(image.width)×\(image.height) image: "
                                    + reason)
        }
        return [UInt8](UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
