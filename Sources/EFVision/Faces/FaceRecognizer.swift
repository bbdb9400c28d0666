// Face recognition with an ArcFace model (the `buffalo_*` packs' recognizer): the face aligned
// to 112×112 by its landmarks (FaceAlignment), normalized as insightface does ((x − 127.5) / 127.5,
// RGB), and run; the embedding is returned raw (not L2-normalized), as Immich stores it.
// Several faces run in batches when a batch executable of the same model is given (Immich runs
// all faces of a photo in one batch): full batches there, the rest one by one.

import EFCore
import EFMedia
import EdgeflowRuntime

/// An ArcFace recognizer compiled to an executable. Thread-safe.
public final class FaceRecognizer: Sendable {
    /// The single-face executable, with the batch one beside it when given.
    public let runs: BatchedModel
    public var model: EdgeflowModel { runs.single }
    /// The same model compiled for a batch of faces, if any.
    public var batchModel: EdgeflowModel? { runs.batch }
    private static let normalization = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    /// The crop side the model takes.
    public var size: Int { model.inputs[0].shape[2] }
    /// Faces per run of the batch model (1 without one).
    public var batchSize: Int { runs.batchSize }

    /// Checks that `model` takes one float32 [1, 3, S, S] image and gives one float32 [1, D]
    /// embedding, and that `batchModel` (optional) is the same with a batch B ≥ 2: [B, 3, S, S] → [B, D].
    /// - Throws: `EdgeflowError.invalidModel` naming what differs.
    public init(model: EdgeflowModel, batchModel: EdgeflowModel? = nil) throws {
        let input = model.inputs.first?.shape ?? [], output = model.outputs.first?.shape ?? []
        guard input.count == 4, input[0...1] == [1, 3], input[2] == input[3], output.count == 2 else {
            throw EdgeflowError(.invalidModel, "\(model.name) is not shaped like an ArcFace recognizer (float32 "
                                    + "[1, 3, S, S] → float32 [1, D])")
        }
        runs = try BatchedModel(single: model, batch: batchModel)
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
    /// - Throws: `EdgeflowError.invalidInput` for a crop of another size; the executables' errors.
    public func embed(aligned crops: [PixelImage]) throws -> [[Float]] {
        let tensors = try crops.map { crop in
            guard crop.width == size, crop.height == size else {
                throw EdgeflowError(.invalidInput, "a face crop is \(crop.width)×\(crop.height), not \(size)×\(size)")
            }
            return TensorPacker.makeTensor(PreparedImage(unchanged: crop), layout: .nchwFloat32,
                                           normalization: Self.normalization)
        }
        return try runs.run(tensors).map { $0.scalars(as: Float.self) }
    }
}
