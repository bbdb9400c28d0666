// The text detector's input as Immich's OCR detector makes it: the shorter side scaled to
// `maxResolution` but never enlarged (ratio = min(maxResolution / shorter side, 1)), each side
// int(side · ratio) rounded half-to-even to a multiple of 32, Pillow's Lanczos resize, BGR,
// and Immich's normalization (x − 0.5) · (1 / 127.5) on 0…255 values (its mean 0.5 and std
// 0.5 · 255 applied to bytes, so the input spans about 0…2, not PP-OCR's −1…1).

import EFCore
import EFMedia
import Foundation

/// Immich's text-detection pre-processing.
public enum TextDetectionInput {
    /// Images narrower or lower than this hold no text for Immich (it answers nothing).
    public static let minimumSide = 32

    /// Immich's detector normalization: (x − 0.5) / 127.5 in float32, BGR.
    public static let normalization = Normalization(mean: [0.5 / 255, 0.5 / 255, 0.5 / 255], std: [0.5, 0.5, 0.5],
                                                    channelOrder: .bgr, arithmetic: .blobFromImage)

    /// The detector input size for a `width × height` image, or nil when a side is below
    /// `minimumSide` (or `maxResolution` < 1).
    public static func size(width: Int, height: Int, maxResolution: Int) -> (width: Int, height: Int)? {
        guard width >= minimumSide, height >= minimumSide, maxResolution >= 1 else { return nil }
        let ratio = min(Double(maxResolution) / Double(min(width, height)), 1)
        func side(_ length: Int) -> Int {
            max(32, Int((Double(Int(Double(length) * ratio)) / 32).rounded(.toNearestOrEven)) * 32)
        }
        return (side(width), side(height))
    }

    /// `image` resized and normalized as a float32 [1, 3, H, W] tensor, or nil when it is too
    /// small to hold text.
    /// - Throws: `EdgeflowError.invalidArgument` / `.invalidInput` from the resampler (sizes over
    ///   its limits, the image memory budget).
    public static func tensor(_ image: PixelImage, maxResolution: Int) throws -> Tensor? {
        guard let size = size(width: image.width, height: image.height, maxResolution: maxResolution) else {
            return nil
        }
        let rgb = try RecognitionBatches.rgb(image)
        let resized = try Resampler.resize(rgb, width: size.width, height: size.height, filter: .lanczos)
        return TensorPacker.makeTensor(PreparedImage(unchanged: resized), layout: .nchwFloat32,
                                       normalization: normalization)
    }
}
