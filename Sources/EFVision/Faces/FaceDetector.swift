// Face detection with an SCRFD model (insightface's detector in Immich's `buffalo_*` packs): the
// photo letterboxed top-left into the model's input, then for each stride (8, 16, 32) and anchor
// the score, the box as distances from the anchor centre and the five landmarks as offsets, all
// in stride units; boxes scaled back by insightface's det_scale, sorted by score and thinned by
// non-maximum suppression (IoU 0.4, insightface's "+1" areas).

import EFCore
import EFMedia
import EdgeflowRuntime

/// One face: its box (x1, y1, x2, y2 in photo pixels), score and five landmarks
/// (left eye, right eye, nose, left and right mouth corners as x0, y0, … x4, y4), when the model gives them.
public struct DetectedFace: Equatable, Sendable {
    public var box: [Float]
    public var score: Float
    public var landmarks: [Float]?
}

/// An SCRFD face detector compiled to an executable. Thread-safe.
public final class FaceDetector: @unchecked Sendable {
    public let model: EdgeflowModel
    /// Intersection over union above which the lower-scored of two faces is dropped.
    public var nmsThreshold: Float = 0.4
    /// The model's strides and anchors per position.
    public static let strides = [8, 16, 32]
    public let anchors: Int
    private let recipe: PreprocessRecipe

    /// Checks that `model` is shaped like SCRFD: one float32 [1, 3, H, W] input (H, W multiples
    /// of 32), then 3 score outputs [n, 1], 3 box outputs [n, 4] and optionally 3 landmark
    /// outputs [n, 10] (a leading batch axis of 1 is allowed), with n = (H/s)·(W/s)·anchors.
    /// - Throws: `EdgeflowError.invalidModel` naming what differs.
    public init(model: EdgeflowModel) throws {
        self.model = model
        let input = model.inputs.first?.shape ?? []
        guard model.inputs.count == 1, model.inputs[0].dtype == .float32, input.count == 4, input[0...1] == [1, 3],
              input[2] % 32 == 0, input[3] % 32 == 0, [6, 9].contains(model.outputs.count),
              model.outputs.allSatisfy({ $0.dtype == .float32 }) else {
            throw EdgeflowError(.invalidModel, "\(model.name) is not shaped like an SCRFD face detector (one float32 "
                                    + "[1, 3, H, W] input, 6 or 9 float32 outputs)")
        }
        let cells = Self.strides.map { (input[2] / $0) * (input[3] / $0) }
        let anchors = cells[0] > 0 ? model.outputs[0].shape.reduce(1, *) / cells[0] : 0
        for (index, output) in model.outputs.enumerated() {
            let width = [1, 4, 10][index / 3], count = cells[index % 3] * anchors
            let shape = output.shape.first == 1 && output.shape.count == 3 ? Array(output.shape.dropFirst())
                : output.shape
            guard (1...2).contains(anchors), shape == [count, width] else {
                throw EdgeflowError(.invalidModel, "\(model.name): output \(index) (\(output.name)) is "
                                        + "\(output.shape), not [\(count), \(width)] for a \(input[3])×\(input[2]) "
                                        + "input with stride \(Self.strides[index % 3])")
            }
        }
        self.anchors = anchors
        var letterbox = PreprocessRecipe.letterbox(width: input[3], height: input[2])
        letterbox.normalization = .scrfd
        recipe = letterbox
    }

    /// The faces in `image` scoring at least `minScore`, best first.
    /// - Throws: `EdgeflowError` when the executable fails or the image exceeds the memory budget.
    public func detect(_ image: PixelImage, minScore: Float = 0.5) throws -> [DetectedFace] {
        let prepared = try recipe.apply(to: image)
        let tensor = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: recipe.normalization)
        let outputs = try model.run([model.inputs[0].name: tensor])
        let values = try model.outputs.map { descriptor -> [Float] in
            guard let output = outputs[descriptor.name] else {
                throw EdgeflowError(.invalidModel, "\(model.name) gave no \(descriptor.name)")
            }
            return output.scalars()
        }
        // insightface divides both axes by one scale: the resized height over the photo's.
        let scale = Float(prepared.geometry.contentHeight) / Float(image.height)
        let width = model.inputs[0].shape[3]
        var faces: [DetectedFace] = []
        for (level, stride) in Self.strides.enumerated() {
            let (scores, boxes) = (values[level], values[level + 3])
            let points = values.count == 9 ? values[level + 6] : nil
            let columns = width / stride
            for index in scores.indices where scores[index] >= minScore {
                let cell = index / anchors
                let cx = Float(cell % columns * stride), cy = Float(cell / columns * stride)
                let s = Float(stride)
                let d = boxes[(4 * index)..<(4 * index + 4)].map { $0 * s }
                let box = [(cx - d[0]) / scale, (cy - d[1]) / scale, (cx + d[2]) / scale, (cy + d[3]) / scale]
                let landmarks = points.map { k in
                    (0..<10).map { j in ((j % 2 == 0 ? cx : cy) + k[10 * index + j] * s) / scale }
                }
                faces.append(DetectedFace(box: box, score: scores[index], landmarks: landmarks))
            }
        }
        return Self.suppress(faces, threshold: nmsThreshold)
    }

    /// `faces` by descending score, without those overlapping a better one by more than `threshold`.
    static func suppress(_ faces: [DetectedFace], threshold: Float) -> [DetectedFace] {
        var remaining = faces.sorted { $0.score > $1.score }
        var kept: [DetectedFace] = []
        while let best = remaining.first {
            kept.append(best)
            remaining = remaining.dropFirst().filter { overlap(best.box, $0.box) <= threshold }
        }
        return kept
    }

    /// Intersection over union with insightface's inclusive pixel areas ((x2 − x1 + 1)·(y2 − y1 + 1)).
    static func overlap(_ a: [Float], _ b: [Float]) -> Float {
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1), h = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
        let intersection = w * h
        let areaA = (a[2] - a[0] + 1) * (a[3] - a[1] + 1), areaB = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
        return intersection / (areaA + areaB - intersection)
    }
}
