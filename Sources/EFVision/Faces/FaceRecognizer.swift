// Face recognition with an ArcFace model (the `buffalo_*` packs' recognizer): the face aligned
// to 112×112 by its landmarks (FaceAlignment), normalized as insightface does ((x − 127.5) / 127.5,
// RGB), and run; the embedding is returned raw (not L2-normalized), as Immich stores it.

import EFCore
import EFMedia
import EdgeflowRuntime

/// An ArcFace recognizer compiled to an executable. Thread-safe.
public final class FaceRecognizer: @unchecked Sendable {
    public let model: EdgeflowModel
    private static let normalization = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    /// The crop side the model takes.
    public var size: Int { model.inputs[0].shape[2] }

    /// Checks that `model` takes one float32 [1, 3, S, S] image and gives one float32 [1, D] embedding.
    /// - Throws: `EdgeflowError.invalidModel` naming what differs.
    public init(model: EdgeflowModel) throws {
        self.model = model
        guard model.inputs.count == 1, model.inputs[0].dtype == .float32, model.inputs[0].shape.count == 4,
              model.inputs[0].shape[0...1] == [1, 3], model.inputs[0].shape[2] == model.inputs[0].shape[3],
              model.outputs.count == 1, model.outputs[0].dtype == .float32, model.outputs[0].shape.count == 2,
              model.outputs[0].shape[0] == 1 else {
            throw EdgeflowError(.invalidModel, "\(model.name) is not shaped like an ArcFace recognizer (float32 "
                                    + "[1, 3, S, S] → float32 [1, D])")
        }
    }

    /// The embedding of the face with `landmarks` (10 values, from `FaceDetector`) in `image`.
    /// - Throws: `EdgeflowError.invalidInput` for bad landmarks; errors of the executable.
    public func embed(_ image: PixelImage, landmarks: [Float]) throws -> [Float] {
        try embed(aligned: try FaceAlignment.align(image, landmarks: landmarks, size: size))
    }

    /// The embedding of an already aligned `size × size` RGB crop.
    public func embed(aligned crop: PixelImage) throws -> [Float] {
        let tensor = TensorPacker.makeTensor(PreparedImage(unchanged: crop), layout: .nchwFloat32,
                                             normalization: Self.normalization)
        guard let output = try model.run([model.inputs[0].name: tensor])[model.outputs[0].name] else {
            throw EdgeflowError(.invalidModel, "\(model.name) gave no embedding")
        }
        return output.scalars()
    }
}
