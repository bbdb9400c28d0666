// Face recognition with an ArcFace model (the `buffalo_*` packs' recognizer): the face aligned
// to 112×112 by its landmarks (FaceAlignment), normalized as insightface does ((x − 127.5) / 127.5,
// RGB), and run; the embedding is returned raw (not L2-normalized), as Immich stores it.
// Several faces run in batches when a batch executable of the same model is given (Immich runs
// all faces of a photo in one batch): full batches there, the rest one by one.

import EFCore
import EFMedia
import EdgeflowRuntime

/// An ArcFace recognizer compiled to an executable. Thread-safe.
public final class FaceRecognizer: @unchecked Sendable {
    public let model: EdgeflowModel
    /// The same model compiled for a batch of faces, if any.
    public let batchModel: EdgeflowModel?
    private static let normalization = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    /// The crop side the model takes.
    public var size: Int { model.inputs[0].shape[2] }
    /// Faces per run of the batch model (1 without one).
    public var batchSize: Int { batchModel?.inputs[0].shape[0] ?? 1 }

    /// Checks that `model` takes one float32 [1, 3, S, S] image and gives one float32 [1, D]
    /// embedding, and that `batchModel` (optional) is the same with a batch B ≥ 2: [B, 3, S, S] → [B, D].
    /// - Throws: `EdgeflowError.invalidModel` naming what differs.
    public init(model: EdgeflowModel, batchModel: EdgeflowModel? = nil) throws {
        self.model = model
        self.batchModel = batchModel
        try Self.check(model, batch: 1)
        if let batchModel {
            let batch = batchModel.inputs.first?.shape.first ?? 0
            try Self.check(batchModel, batch: batch)
            guard batch >= 2, batchModel.inputs[0].shape[1...] == model.inputs[0].shape[1...],
                  batchModel.outputs[0].shape[1...] == model.outputs[0].shape[1...] else {
                throw EdgeflowError(.invalidModel, "\(batchModel.name) is not a batch of \(model.name)'s faces")
            }
        }
    }

    private static func check(_ model: EdgeflowModel, batch: Int) throws {
        guard model.inputs.count == 1, model.inputs[0].dtype == .float32, model.inputs[0].shape.count == 4,
              model.inputs[0].shape[0...1] == [batch, 3], model.inputs[0].shape[2] == model.inputs[0].shape[3],
              model.outputs.count == 1, model.outputs[0].dtype == .float32, model.outputs[0].shape.count == 2,
              model.outputs[0].shape[0] == batch else {
            throw EdgeflowError(.invalidModel, "\(model.name) is not shaped like an ArcFace recognizer (float32 "
                                    + "[\(batch), 3, S, S] → float32 [\(batch), D])")
        }
    }

    /// The embedding of the face with `landmarks` (10 values, from `FaceDetector`) in `image`.
    /// - Throws: `EdgeflowError.invalidInput` for bad landmarks; errors of the executable.
    public func embed(_ image: PixelImage, landmarks: [Float]) throws -> [Float] {
        try embed(aligned: try FaceAlignment.align(image, landmarks: landmarks, size: size))
    }

    /// The embedding of an already aligned `size × size` RGB crop.
    public func embed(aligned crop: PixelImage) throws -> [Float] {
        try embed(aligned: [crop])[0]
    }

    /// The embeddings of aligned `size × size` RGB crops, in order: full batches on the batch
    /// model, the rest one by one. Results equal one-by-one runs within float rounding.
    public func embed(aligned crops: [PixelImage]) throws -> [[Float]] {
        var embeddings: [[Float]] = []
        embeddings.reserveCapacity(crops.count)
        var start = 0
        if let batchModel {
            let batch = batchSize
            while crops.count - start >= batch {
                embeddings += try run(batchModel, Array(crops[start ..< start + batch]))
                start += batch
            }
        }
        for crop in crops[start...] { embeddings += try run(model, [crop]) }
        return embeddings
    }

    /// Runs `model` on `crops` (exactly its batch) and splits the [B, D] output into rows.
    private func run(_ model: EdgeflowModel, _ crops: [PixelImage]) throws -> [[Float]] {
        var scalars: [Float] = []
        scalars.reserveCapacity(crops.count * 3 * size * size)
        for crop in crops {
            guard crop.width == size, crop.height == size else {
                throw EdgeflowError(.invalidInput, "a face crop is \(crop.width)×\(crop.height), not \(size)×\(size)")
            }
            let tensor = TensorPacker.makeTensor(PreparedImage(unchanged: crop), layout: .nchwFloat32,
                                                 normalization: Self.normalization)
            scalars += tensor.scalars(as: Float.self)
        }
        let input = Tensor(shape: [crops.count, 3, size, size], scalars: scalars)
        guard let output = try model.run([model.inputs[0].name: input])[model.outputs[0].name] else {
            throw EdgeflowError(.invalidModel, "\(model.name) gave no embedding")
        }
        let rows = output.scalars(as: Float.self)
        let width = rows.count / max(1, crops.count)
        return (0 ..< crops.count).map { Array(rows[$0 * width ..< ($0 + 1) * width]) }
    }
}
