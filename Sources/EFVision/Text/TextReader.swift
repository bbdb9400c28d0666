// Reads the text in a photo with a PP-OCR detector and recognizer compiled to executables:
// the photo letterboxed into the detector's fixed input, text regions from its probability map
// (axis-aligned, widened as DB's unclip does), each region cropped from the photo at full
// resolution, fitted to the recognizer's 48-pixel-high input and decoded by greedy CTC.

import EFCore
import EFMedia
import EdgeflowRuntime

/// One line of text found in a photo.
public struct TextLine: Equatable, Sendable {
    public var text: String
    /// The recognizer's confidence: mean probability of the kept characters (0…1).
    public var score: Float
    /// The detector's mean probability over the region (0…1).
    public var boxScore: Float
    /// Where the line is, in photo pixels (x, y of the top-left corner, width, height).
    public var x: Int, y: Int, width: Int, height: Int
}

/// A text detector and recognizer pair. Thread-safe (the executables are).
public final class TextReader: @unchecked Sendable {
    public let detection: EdgeflowModel
    public let recognition: EdgeflowModel
    public let decoder: CTCDecoder
    /// DB's unclip ratio: a region grows on every side by area · ratio / perimeter.
    public let unclipRatio = 1.6
    private let detectionRecipe: PreprocessRecipe
    private let recognitionRecipe: PreprocessRecipe

    /// The detector's input size (width, height).
    public var detectionSize: (width: Int, height: Int) {
        (detection.inputs[0].shape[3], detection.inputs[0].shape[2])
    }

    /// Checks the pair and takes the character dictionary from the recognizer's metadata.
    /// - Throws: `EdgeflowError.invalidModel` when the detector does not take one float32
    ///   [1, 3, H, W] image and give [1, 1, H, W], the recognizer does not take float32
    ///   [1, 3, 48, W] and give [1, T, C], or the recognizer has no `character` metadata
    ///   with C − 2 lines.
    public init(detection: EdgeflowModel, recognition: EdgeflowModel) throws {
        self.detection = detection
        self.recognition = recognition
        guard detection.inputs.count == 1, detection.inputs[0].dtype == .float32,
              detection.inputs[0].shape.count == 4, detection.inputs[0].shape[0...1] == [1, 3],
              let map = detection.outputs.first, map.dtype == .float32,
              map.shape == [1, 1] + detection.inputs[0].shape[2...3] else {
            throw EdgeflowError(.invalidModel, "\(detection.name) is not a DB text detector: it takes "
                                    + Self.describe(detection.inputs) + " and gives " + Self.describe(detection.outputs)
                                    + ", not float32[1, 3, H, W] → float32[1, 1, H, W]")
        }
        guard recognition.inputs.count == 1, recognition.inputs[0].dtype == .float32,
              recognition.inputs[0].shape.count == 4, recognition.inputs[0].shape[0...2] == [1, 3, 48],
              let logits = recognition.outputs.first, logits.dtype == .float32, logits.shape.count == 3,
              logits.shape[0] == 1 else {
            throw EdgeflowError(.invalidModel, "\(recognition.name) is not a CTC text recognizer: it takes "
                                    + Self.describe(recognition.inputs) + " and gives "
                                    + Self.describe(recognition.outputs)
                                    + ", not float32[1, 3, 48, W] → float32[1, T, C]")
        }
        guard let dictionary = recognition.manifest.metadata?["character"] else {
            throw EdgeflowError(.invalidModel, "\(recognition.name) carries no character dictionary",
                                hint: "compile the recognizer from a PP-OCR ONNX file (its metadata has `character`)")
        }
        decoder = CTCDecoder(dictionary: dictionary)
        guard decoder.classes.count == logits.shape[2] else {
            throw EdgeflowError(.invalidModel, "\(recognition.name) scores \(logits.shape[2]) classes but its "
                                    + "dictionary makes \(decoder.classes.count)")
        }
        let input = detection.inputs[0].shape
        var letterbox = PreprocessRecipe.letterbox(width: input[3], height: input[2])
        letterbox.normalization = .ocrDetection
        detectionRecipe = letterbox
        let width = recognition.inputs[0].shape[3]
        recognitionRecipe = .ocrRecognition(height: 48, minWidth: width, maxWidth: width)
    }

    /// The lines of text in `image`, top to bottom: regions whose mean detection probability is
    /// at least `minBoxScore` (Immich: 0.5), read with a score of at least `minTextScore` (Immich's server: 0.8).
    /// - Throws: `EdgeflowError` when an executable fails or an image exceeds the memory budget.
    public func read(_ image: PixelImage, minBoxScore: Float = 0.5, minTextScore: Float = 0.8) throws -> [TextLine] {
        let prepared = try detectionRecipe.apply(to: image)
        let input = TensorPacker.makeTensor(prepared, layout: .nchwFloat32,
                                            normalization: detectionRecipe.normalization)
        let outputs = try detection.run([detection.inputs[0].name: input])
        guard let map = outputs[detection.outputs[0].name] else {
            throw EdgeflowError(.invalidModel, "\(detection.name) gave no probability map")
        }
        let regions = try TextRegions.find(in: map, threshold: 0.3, minScore: minBoxScore)
        return try regions.compactMap { region in
            let box = sourceBox(region, geometry: prepared.geometry, image: image)
            guard box.width >= 2, box.height >= 2 else { return nil }
            let crop = try image.cropped(x: box.x, y: box.y, width: box.width, height: box.height)
            let (text, score) = try recognize(crop)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty, score >= minTextScore else { return nil }
            return TextLine(text: text, score: score, boxScore: region.score,
                            x: box.x, y: box.y, width: box.width, height: box.height)
        }
    }

    /// The text of one cropped line (a tall crop is turned a quarter counter-clockwise first, as PP-OCR does).
    private func recognize(_ crop: PixelImage) throws -> (String, Float) {
        let upright = Double(crop.height) >= 1.5 * Double(crop.width) ? crop.rotatedCounterClockwise() : crop
        let prepared = try recognitionRecipe.apply(to: upright)
        let input = TensorPacker.makeTensor(prepared, layout: .nchwFloat32,
                                            normalization: recognitionRecipe.normalization)
        let outputs = try recognition.run([recognition.inputs[0].name: input])
        guard let logits = outputs[recognition.outputs[0].name],
              let line = try decoder.decodeWithScores(logits).first else {
            throw EdgeflowError(.invalidModel, "\(recognition.name) gave no output")
        }
        return line
    }

    /// A map region as a photo rectangle, widened by the unclip distance and kept inside the photo.
    private func sourceBox(_ region: TextRegion, geometry: ImageGeometry,
                           image: PixelImage) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = Double(region.width), h = Double(region.height)
        let grow = w * h * unclipRatio / (2 * (w + h))
        let topLeft = geometry.toSource(x: Double(region.minX) - grow, y: Double(region.minY) - grow)
        let bottomRight = geometry.toSource(x: Double(region.maxX + 1) + grow, y: Double(region.maxY + 1) + grow)
        let x0 = max(0, min(image.width - 1, Int(topLeft.x.rounded(.down))))
        let y0 = max(0, min(image.height - 1, Int(topLeft.y.rounded(.down))))
        let x1 = max(x0 + 1, min(image.width, Int(bottomRight.x.rounded(.up))))
        let y1 = max(y0 + 1, min(image.height, Int(bottomRight.y.rounded(.up))))
        return (x0, y0, x1 - x0, y1 - y0)
    }

    private static func describe(_ tensors: [TensorDescriptor]) -> String {
        tensors.map { "\($0.dtype.rawValue)\($0.shape)" }.joined(separator: ", ")
    }
}
