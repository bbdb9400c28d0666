// Per-channel normalization for float tensors, with the exact float arithmetic of each
// reference pipeline (they differ in the last bit), applied through a 256-entry table.

import EFCore

/// Channel order of the packed tensor.
public enum ChannelOrder: String, Sendable {
    case rgb, bgr
}

/// Mean/std normalization of 8-bit pixels, mean and std in 0…1 units.
public struct Normalization: Equatable, Sendable {
    /// How the float value is computed from a byte x.
    public enum Arithmetic: String, Sendable {
        /// torchvision ToTensor + Normalize: `(x / 255 − mean) / std`, every step float32.
        case torchvision
        /// RapidOCR: `x · Float32(1/255)` in float32, then `(· − mean) / std` in float64, rounded
        /// to float32 at the end.
        case rapidOCR
        /// cv2.dnn.blobFromImage: `(x − 255·mean) · (1 / (255·std))` in float32.
        case blobFromImage
    }

    public var mean: [Double]
    public var std: [Double]
    public var channelOrder: ChannelOrder
    public var arithmetic: Arithmetic

    public init(mean: [Double], std: [Double], channelOrder: ChannelOrder = .rgb, arithmetic: Arithmetic = .torchvision) {
        self.mean = mean
        self.std = std
        self.channelOrder = channelOrder
        self.arithmetic = arithmetic
    }

    /// OpenAI CLIP (and Immich's OpenAI/LAION models).
    public static let clip = Normalization(mean: [0.48145466, 0.4578275, 0.40821073],
                                           std: [0.26862954, 0.26130258, 0.27577711])
    /// SigLIP: mean = std = 0.5.
    public static let siglip = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    /// insightface SCRFD: (x − 127.5) / 128, RGB.
    public static let scrfd = Normalization(mean: [0.5, 0.5, 0.5], std: [128.0 / 255, 128.0 / 255, 128.0 / 255],
                                            arithmetic: .blobFromImage)
    /// RapidOCR detection: (x/255 − 0.5) / 0.5, BGR.
    public static let ocrDetection = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
                                                   channelOrder: .bgr, arithmetic: .rapidOCR)
    /// RapidOCR recognition: (x/255 − 0.5) / 0.5 in float32, BGR.
    public static let ocrRecognition = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], channelOrder: .bgr)

    /// Throws unless mean and std each hold 1 or 3 finite values and no std is 0.
    /// - Throws: `EdgeflowError.invalidArgument` naming the bad value.
    public func validate() throws {
        for (name, values) in [("mean", mean), ("std", std)] {
            guard [1, 3].contains(values.count), values.allSatisfy(\.isFinite) else {
                throw EdgeflowError(.invalidArgument, "normalization \(name) \(values) must be 1 or 3 finite numbers")
            }
        }
        guard !std.contains(0) else {
            throw EdgeflowError(.invalidArgument, "normalization std \(std) contains 0",
                                hint: "std values divide the pixels")
        }
    }

    /// `table[c][x]`: the normalized value of byte x in output channel c (after reordering).
    func lookupTables(channels: Int) -> [[Float]] {
        (0..<channels).map { c in
            let m = mean.isEmpty ? 0 : mean[min(c, mean.count - 1)], s = std.isEmpty ? 1 : std[min(c, std.count - 1)]
            return (0..<256).map { v in value(UInt8(v), mean: m, std: s) }
        }
    }

    func value(_ x: UInt8, mean m: Double, std s: Double) -> Float {
        switch arithmetic {
        case .torchvision:
            return (Float(x) / 255 - Float(m)) / Float(s)
        case .rapidOCR:
            let scaled = Float(x) * Float(1.0 / 255.0)
            return Float((Double(scaled) - m) / s)
        case .blobFromImage:
            return (Float(x) - Float(255 * m)) * Float(1 / (255 * s))
        }
    }

    /// The byte whose normalized value is closest to 0 (round(255 · mean)).
    func zeroByte(channel c: Int) -> UInt8 {
        let value = mean.isEmpty ? 0 : (255 * mean[min(c, mean.count - 1)]).rounded()
        return value.isFinite ? UInt8(min(max(value, 0), 255)) : 0
    }
}
