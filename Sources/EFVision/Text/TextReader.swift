// Reads the text in a photo with a PP-OCR detector and recognizer the way Immich's OCR task
// does (immich_ml/models/ocr on RapidOCR 3.x): the photo resized for the detector at its own
// aspect (TextDetectionInput), rotated text boxes from the probability map (TextBoxes), each box
// rectified out of the full-resolution photo (PerspectiveCrop), with a direction classifier
// (not Immich's: RapidOCR's) upside-down crops turned round (TextDirection), the crops recognized
// in batches of similar aspect (RecognitionBatches) and decoded by greedy CTC with the model's
// dictionary.
// Executables are static-shape, so both models come as ShapedModels (one executable per shape).

import EFCore
import EFMedia
import EdgeflowRuntime

/// One line of text found in a photo.
public struct TextLine: Equatable, Sendable {
    public var text: String
    /// The recognizer's confidence: mean probability of the kept characters (0…1).
    public var score: Float
    /// The detector's mean probability inside the box (0…1).
    public var boxScore: Float
    /// The box's corners in photo pixels: top-left, top-right, bottom-right, bottom-left.
    public var corners: [TextPoint]
    /// The direction classifier found the line upside down, and it was read turned round.
    public var upsideDown = false

    /// The box's bounding rectangle in whole photo pixels (x, y of the top-left corner).
    public var x: Int { Int(corners.map(\.x).min() ?? 0) }
    public var y: Int { Int(corners.map(\.y).min() ?? 0) }
    public var width: Int { Int(corners.map(\.x).max() ?? 0) - x }
    public var height: Int { Int(corners.map(\.y).max() ?? 0) - y }
}

/// A text detector and recognizer pair. Thread-safe (the executables and caches are).
public final class TextReader: @unchecked Sendable {
    public let detection: ShapedModels
    public let recognition: ShapedModels
    /// The text-line direction classifier, if any (Immich has none).
    public let direction: TextDirectionClassifier?
    public let decoder: CTCDecoder
    /// The detector's shorter side when `read` is not told otherwise (Immich: 736).
    public let maxResolution: Int
    /// Crops per recognizer batch (Immich: `MACHINE_LEARNING_MAX_BATCH_SIZE__OCR`, default 6).
    public let batchSize: Int
    /// The widest recognizer input (48 · 66.7): longer lines are squeezed to it.
    public static let maxRecognitionWidth = 3200

    /// Checks the pair on the recognizer's nominal shape [1, 3, 48, 320] and takes the character
    /// dictionary from its metadata.
    /// - Throws: `EdgeflowError.invalidModel` when the recognizer does not give float32 [1, T, C]
    ///   or has no `character` metadata with C − 2 lines; `.invalidArgument` for a batch size or
    ///   resolution < 1; the loader's errors.
    public init(detection: ShapedModels, recognition: ShapedModels, direction: TextDirectionClassifier? = nil,
                maxResolution: Int = 736, batchSize: Int = 6) throws {
        guard batchSize >= 1, maxResolution >= 1 else {
            throw EdgeflowError(.invalidArgument,
                                "batch size \(batchSize) and resolution \(maxResolution) must be ≥ 1")
        }
        self.detection = detection
        self.recognition = recognition
        self.direction = direction
        self.maxResolution = maxResolution
        self.batchSize = batchSize
        let nominal = try recognition.model(for: [1, 3, 48, 320])
        guard let logits = nominal.outputs.first, logits.dtype == .float32, logits.shape.count == 3,
              logits.shape[0] == 1 else {
            throw EdgeflowError(.invalidModel, "\(nominal.name) is not a CTC text recognizer: it gives "
                                    + nominal.outputs.map { "\($0.dtype.rawValue)\($0.shape)" }.joined(separator: ", ")
                                    + ", not float32[1, T, C]")
        }
        guard let dictionary = nominal.manifest.metadata?["character"] else {
            throw EdgeflowError(.invalidModel, "\(nominal.name) carries no character dictionary",
                                hint: "compile the recognizer from a PP-OCR ONNX file (its metadata has `character`)")
        }
        decoder = CTCDecoder(dictionary: dictionary)
        guard decoder.classes.count == logits.shape[2] else {
            throw EdgeflowError(.invalidModel, "\(nominal.name) scores \(logits.shape[2]) classes but its "
                                    + "dictionary makes \(decoder.classes.count)")
        }
    }

    /// The lines of text in `image` in Immich's reading order: boxes whose mean detection
    /// probability is at least `minBoxScore`, read with a score above `minTextScore` (Immich's
    /// server sends 0.5 and 0.8). Images with a side under 32 pixels hold no text.
    /// - Parameter maxResolution: the detector's shorter side (never enlarged); nil: the reader's.
    /// - Throws: `EdgeflowError` when a model fails or an image exceeds the memory budget.
    public func read(_ image: PixelImage, maxResolution: Int? = nil, minBoxScore: Float = 0.5,
                     minTextScore: Float = 0.8) throws -> [TextLine] {
        try readAll(image, maxResolution: maxResolution, minBoxScore: minBoxScore)
            .filter { $0.score > minTextScore }
    }

    /// Every detected box with what the recognizer read in it (no text-score filter).
    public func readAll(_ image: PixelImage, maxResolution: Int? = nil, minBoxScore: Float = 0.5) throws -> [TextLine] {
        let boxes = try detect(image, maxResolution: maxResolution ?? self.maxResolution, minBoxScore: minBoxScore)
        guard !boxes.isEmpty else { return [] }
        var crops = try boxes.map { try PerspectiveCrop.crop(image, corners: $0.corners) }
        let directions = try direction?.classify(crops)
        for (k, found) in (directions ?? []).enumerated() where found.upsideDown {
            crops[k] = crops[k].rotatedHalfTurn()
        }
        let read = try recognize(crops)
        return zip(boxes, read).enumerated().map { k, pair in
            TextLine(text: pair.1.text, score: pair.1.score, boxScore: pair.0.score, corners: pair.0.corners,
                     upsideDown: directions?[k].upsideDown ?? false)
        }
    }

    /// The text boxes in `image`, in photo pixels and reading order.
    public func detect(_ image: PixelImage, maxResolution: Int, minBoxScore: Float = 0.5) throws -> [TextBox] {
        guard let input = try TextDetectionInput.tensor(image, maxResolution: maxResolution) else { return [] }
        let model = try detection.model(for: input.shape)
        let outputs = try model.run([model.inputs[0].name: input])
        guard let name = model.outputs.first?.name, let map = outputs[name], map.rank == 4,
              map.shape == [1, 1, input.shape[2], input.shape[3]] else {
            throw EdgeflowError(.invalidModel, "\(model.name) is not a DB text detector: it gives "
                                    + model.outputs.map { "\($0.shape)" }.joined(separator: ", ")
                                    + " for input \(input.shape), not [1, 1, H, W]")
        }
        return try TextBoxes.find(in: map, imageWidth: image.width, imageHeight: image.height, minScore: minBoxScore)
    }

    /// The text and score of each crop (upright RGB lines), in the crops' order.
    public func recognize(_ crops: [PixelImage]) throws -> [(text: String, score: Float)] {
        var results = [(text: String, score: Float)](repeating: ("", 0), count: crops.count)
        let batches = try RecognitionBatches.make(crops, batchSize: batchSize, maxWidth: Self.maxRecognitionWidth)
        for batch in batches {
            let model = try recognition.model(for: [1, 3, 48, batch.width])
            let outputs = try model.run(batch: batch.rows.map { [model.inputs[0].name: $0] })
            for (row, output) in zip(batch.indices, outputs) {
                guard let name = model.outputs.first?.name, let logits = output[name],
                      let line = try decoder.decodeWithScores(logits).first else {
                    throw EdgeflowError(.invalidModel, "\(model.name) gave no output")
                }
                results[row] = line
            }
        }
        return results
    }
}
