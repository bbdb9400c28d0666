// Named, inspectable preprocessing recipes: which resize, crop or padding a model family's
// reference pipeline applies, with that pipeline's default normalization and channel order.

import EFCore

/// A preprocessing recipe: geometry steps (`apply`) plus the reference normalization.
public struct PreprocessRecipe: Equatable, Sendable {
    /// OCR detection's side limit: scale the shorter side up to it (`min`) or the longer side
    /// down to it (`max`).
    public enum LimitType: String, Sendable { case min, max }

    public enum Kind: Equatable, Sendable {
        /// Shorter side → size (Pillow BICUBIC), center crop size × size (OpenAI CLIP / torchvision).
        case clip(size: Int)
        /// Pillow BICUBIC straight to width × height (SigLIP, Immich `resize_mode: squash`).
        case squash(width: Int, height: Int)
        /// Keep the aspect ratio, cv2 linear resize, top-left on a black canvas (insightface SCRFD).
        case letterbox(width: Int, height: Int)
        /// RapidOCR 1.4.4 DetPreProcess: limit side, int(), round each side to a multiple of 32, cv2 linear.
        case ocrDetection(limitSide: Int, limitType: LimitType)
        /// RapidOCR TextRecognizer.resize_norm_img for one image: height fixed, keep ratio, pad right.
        /// With `maxWidth` (a model of fixed width) the canvas is at most that wide and a longer line
        /// is squeezed into it, as PaddleOCR's resize_norm_img does for a fixed imgW.
        case ocrRecognition(height: Int, minWidth: Int, maxWidth: Int? = nil)
    }

    public var name: String
    public var kind: Kind
    /// The reference pipeline's normalization for float tensors.
    public var normalization: Normalization

    public init(name: String, kind: Kind, normalization: Normalization) {
        self.name = name
        self.kind = kind
        self.normalization = normalization
    }

    public static func clip(size: Int = 224) -> PreprocessRecipe {
        PreprocessRecipe(name: "clip", kind: .clip(size: size), normalization: .clip)
    }
    public static func squash(width: Int, height: Int, normalization: Normalization = .siglip) -> PreprocessRecipe {
        PreprocessRecipe(name: "squash", kind: .squash(width: width, height: height), normalization: normalization)
    }
    public static func letterbox(width: Int = 640, height: Int = 640) -> PreprocessRecipe {
        PreprocessRecipe(name: "letterbox", kind: .letterbox(width: width, height: height), normalization: .scrfd)
    }
    public static func ocrDetection(limitSide: Int = 736, limitType: LimitType = .min) -> PreprocessRecipe {
        PreprocessRecipe(name: "ocr-det", kind: .ocrDetection(limitSide: limitSide, limitType: limitType),
                         normalization: .ocrDetection)
    }
    public static func ocrRecognition(height: Int = 48, minWidth: Int = 320, maxWidth: Int? = nil)
        -> PreprocessRecipe {
        PreprocessRecipe(name: "ocr-rec", kind: .ocrRecognition(height: height, minWidth: minWidth, maxWidth: maxWidth),
                         normalization: .ocrRecognition)
    }

    /// This recipe for a model input of fixed size `width` × `height`: ocr-rec of that height
    /// makes exactly `width` (narrower lines padded on the right, wider ones squeezed into it,
    /// PaddleOCR's resize_norm_img with a fixed imgW), since a line's own ratio would otherwise
    /// decide the tensor's width. Every other recipe is returned unchanged.
    public func fitted(toHeight height: Int, width: Int) -> PreprocessRecipe {
        guard case .ocrRecognition(let h, _, _) = kind, h == height, width >= 1 else { return self }
        var fitted = self
        fitted.kind = .ocrRecognition(height: height, minWidth: width, maxWidth: width)
        return fitted
    }

    /// Preset names for `--recipe`, each with a one-line summary (for --help).
    public static let presetNames: [(name: String, summary: String)] = [
        ("clip", "OpenAI CLIP: shorter side → size (Pillow bicubic), center crop; size default 224"),
        ("siglip", "SigLIP / squash: Pillow bicubic straight to size × size, mean = std = 0.5; size default 224"),
        ("squash", "same as siglip"),
        ("scrfd", "insightface SCRFD letterbox: keep ratio, cv2 linear, top-left on black; size default 640"),
        ("letterbox", "same as scrfd"),
        ("ocr-det", "RapidOCR detection: shorter side up to size (736), sides rounded to multiples of 32, BGR"),
        ("ocr-rec", "RapidOCR recognition: height size (48), keep ratio, width ≥ 320, pad right, BGR"),
    ]

    /// A preset by name; `size` overrides the preset's main size (square side, OCR limit side or
    /// OCR recognition height).
    /// - Throws: `EdgeflowError.invalidArgument` for an unknown name or a size < 1.
    public static func named(_ name: String, size: Int? = nil) throws -> PreprocessRecipe {
        if let size, size < 1 {
            throw EdgeflowError(.invalidArgument, "recipe size \(size) must be at least 1")
        }
        switch name.lowercased() {
        case "clip": return .clip(size: size ?? 224)
        case "siglip", "squash": return .squash(width: size ?? 224, height: size ?? 224)
        case "scrfd", "letterbox": return .letterbox(width: size ?? 640, height: size ?? 640)
        case "ocr-det": return .ocrDetection(limitSide: size ?? 736)
        case "ocr-rec": return .ocrRecognition(height: size ?? 48)
        default:
            throw EdgeflowError(.invalidArgument, "unknown preprocessing recipe '\(name)'",
                                hint: "use one of: " + presetNames.map(\.name).joined(separator: ", "))
        }
    }

    /// Human-readable steps: resize, filter, sizes, crop/padding, then both packings with the
    /// recipe's own normalization.
    public var description: [String] {
        ["recipe \(name)"] + geometrySteps
            + [TensorLayout.nchwFloat32, .nhwcFloat32, .nhwcUInt8].map { $0.describe(normalization) }
    }

    /// The resize / crop / padding steps alone, one line each.
    public var geometrySteps: [String] {
        var lines: [String] = []
        switch kind {
        case .clip(let size):
            lines.append("resize shorter side to \(size), longer side int(\(size)·long/short), "
                + "Pillow BICUBIC (antialiased, a = −0.5)")
            lines.append("center crop \(size)×\(size): top = round((h − \(size))/2), "
                + "left = round((w − \(size))/2), half to even")
        case .squash(let w, let h):
            lines.append("resize to \(w)×\(h) ignoring aspect ratio, Pillow BICUBIC (antialiased, a = −0.5)")
        case .letterbox(let w, let h):
            lines.append("fit inside \(w)×\(h) keeping aspect ratio (insightface: int() of the scaled side), "
                + "cv2 INTER_LINEAR")
            lines.append("place top-left on a black \(w)×\(h) canvas; boxes divide by det_scale = new_h / h")
        case .ocrDetection(let side, let type):
            lines.append(type == .min
                         ? "if the shorter side < \(side): scale it to \(side) (else keep size)"
                         : "if the longer side > \(side): scale it to \(side) (else keep size)")
            lines.append("each side int(side·ratio), then rounded to a multiple of 32 (half to even); "
                + "cv2 INTER_LINEAR")
        case .ocrRecognition(let h, let minW, let maxW):
            let natural = "int(\(h)·max(\(minW)/\(h), w/h))"
            let cap = maxW.map { "min(\($0), \(natural))" } ?? natural
            lines.append("height \(h), width ceil(\(h)·w/h) capped at \(cap); cv2 INTER_LINEAR")
            lines.append("pad right to that width with 0 after normalization")
        }
        return lines
    }
}
