// PP-OCR's text-line direction classifier (ch_ppocr_mobile_v2.0_cls), as RapidOCR runs it
// between the crops and the recognizer: each crop resized to height 48 at its aspect (at most
// 192 wide, OpenCV bilinear), normalized like the recognizer's rows (BGR, (x/255 − 0.5)/0.5),
// zero-padded to 192; the model answers two probabilities, "0" and "180" degrees, and a crop
// whose larger one is "180" above the threshold (RapidOCR: 0.9) is turned half a circle.

import EFCore
import EFMedia
import EdgeflowRuntime

/// What the classifier said about one crop.
public struct TextDirection: Equatable, Sendable {
    /// The crop reads upside down: its "180" probability is the larger and above the threshold.
    public var upsideDown: Bool
    /// The larger probability (0…1), whichever direction it is for.
    public var score: Float
    /// Whether the larger probability is the "180" one (even when not above the threshold).
    public var says180: Bool
}

/// A 0/180-degree text-line classifier. Thread-safe (the executable is).
public final class TextDirectionClassifier: @unchecked Sendable {
    public let model: ShapedModels
    /// The "180" probability above which a crop is turned (RapidOCR's `cls_thresh`).
    public let threshold: Float
    /// The classifier's input: [1, 3, 48, 192].
    public static let inputShape = [1, 3, 48, 192]

    /// Checks that the model takes [1, 3, 48, 192] and gives float32 [1, 2].
    /// - Throws: `EdgeflowError.invalidModel` for another output; `.invalidArgument` for a threshold
    ///   outside 0…1; the loader's errors.
    public init(model: ShapedModels, threshold: Float = 0.9) throws {
        guard (0...1).contains(threshold) else {
            throw EdgeflowError(.invalidArgument, "the direction threshold must be in 0…1, not \(threshold)")
        }
        let nominal = try model.model(for: Self.inputShape)
        guard let output = nominal.outputs.first, output.dtype == .float32, output.shape == [1, 2] else {
            throw EdgeflowError(.invalidModel, "\(nominal.name) is not a 0/180 text direction classifier: it gives "
                                    + nominal.outputs.map { "\($0.dtype.rawValue)\($0.shape)" }.joined(separator: ", ")
                                    + ", not float32[1, 2]")
        }
        self.model = model
        self.threshold = threshold
    }

    /// The direction of each crop (upright RGB or gray lines), in the crops' order.
    /// - Throws: the executable's and the resampler's errors.
    public func classify(_ crops: [PixelImage]) throws -> [TextDirection] {
        guard !crops.isEmpty else { return [] }
        let executable = try model.model(for: Self.inputShape)
        let (height, width) = (Self.inputShape[2], Self.inputShape[3])
        let rows = try crops.map {
            try RecognitionBatches.row($0, ratio: Double($0.width) / Double($0.height), height: height, width: width)
        }
        let outputs = try executable.run(batch: rows.map { [executable.inputs[0].name: $0] })
        return try outputs.map { output in
            guard let name = executable.outputs.first?.name, let probabilities = output[name],
                  probabilities.dtype == .float32, probabilities.count == 2 else {
                throw EdgeflowError(.invalidModel, "\(executable.name) gave no float32 [1, 2] output")
            }
            let scores: [Float] = probabilities.scalars()
            let says180 = scores[1] > scores[0]  // numpy's argmax: the first of equal values
            let score = max(scores[0], scores[1])
            return TextDirection(upsideDown: says180 && score > threshold, score: score, says180: says180)
        }
    }
}
