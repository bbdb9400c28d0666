// The models of `serve-ml`: Immich's model names are folders under one models directory in
// Immich's layout (ViT-B-32__openai/visual/model.onnx, buffalo_l/detection/model.onnx,
// PP-OCRv5_mobile/recognition/model.onnx, …), compiled beside their ONNX files on first use and
// kept in a `ModelCache` (unloaded after the TTL, loaded again in milliseconds from the cached
// executables). An unknown name is an error that lists the folders there.

import EFCore
import EFImmichML
import EFSearch
import EFVision
import Foundation

/// Immich model folders under one directory, compiled on first use and cached while in use.
public final class ImmichModelFolders: ImmichModelProvider, Sendable {
    let root: URL
    /// SCRFD's input side (Immich runs buffalo_l's detector at 640×640).
    let faceInputSide = 640
    /// Faces per run of the recognizer (MACHINE_LEARNING_MAX_BATCH_SIZE__FACIAL_RECOGNITION); 1 runs
    /// them one by one.
    let faceBatchSize: Int
    /// Images per run of a CLIP image tower (MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP, Edgeflow's own):
    /// the images of concurrent requests share runs; 1 runs them one by one.
    let clipBatchSize: Int
    /// The loaded models, by task and name.
    public let cache = ModelCache()
    private let log: @Sendable (String) -> Void

    /// - Parameters:
    ///   - faceBatchSize: faces per recognizer run, 1…64.
    ///   - clipBatchSize: images per CLIP image-tower run, 1…64.
    public init(root: URL, faceBatchSize: Int = 8, clipBatchSize: Int = 2, log: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.faceBatchSize = min(64, max(1, faceBatchSize))
        self.clipBatchSize = min(64, max(1, clipBatchSize))
        self.log = log
    }

    /// The CLIP model `name`, always with its fp32 image tower: Immich keeps the image vectors it
    /// was sent, so an int8 tower's (visual/model.int8.efx) would be mixed with them.
    public func clip(_ name: String) throws -> CLIPModel {
        try cache.model("clip:\(name)") {
            try CLIPFolderLoading.load(try folder(name, holding: "visual").path, int8Visual: false,
                                       visualBatch: clipBatchSize, log: log)
        }
    }

    public func faceDetector(_ name: String) throws -> FaceDetector {
        try cache.model("face-detection:\(name)") {
            let folder = try folder(name, holding: "detection")
            let side = faceInputSide
            let model = try FolderModelCompiling.executable(
                onnx: folder.appendingPathComponent("detection/model.onnx"),
                efx: folder.appendingPathComponent("detection/model-\(side).efx"), inputShape: [1, 3, side, side],
                log: log)
            return try FaceDetector(model: model)
        }
    }

    public func faceRecognizer(_ name: String) throws -> FaceRecognizer {
        try cache.model("face-recognition:\(name)") {
            let folder = try folder(name, holding: "recognition")
            let onnx = folder.appendingPathComponent("recognition/model.onnx")
            let model = try FolderModelCompiling.executable(
                onnx: onnx, efx: folder.appendingPathComponent("recognition/model.efx"), inputShape: [1, 3, 112, 112],
                log: log)
            let single = try FaceRecognizer(model: model)  // checks ArcFace's shapes before a batch compile
            let runs = try BatchExecutableCompiling.runs(single.model, onnx: onnx, batch: faceBatchSize, log: log)
            return try FaceRecognizer(model: runs.single, batchModel: runs.batch)
        }
    }

    public func textReader(_ name: String, resolution: Int) throws -> TextReader {
        try cache.model("ocr:\(name)@\(resolution)") {
            let models = try TextReaderFolder(url: try folder(name, holding: "recognition"), maxResolution: resolution)
            return try TextReaderLoading.load(models, log: log)
        }
    }

    /// The names of the model folders under the root.
    public func available() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The folder of `name`, which must hold the subfolder `part`.
    private func folder(_ name: String, holding part: String) throws -> URL {
        let folder = root.appendingPathComponent(name)
        guard !name.contains("/"), !name.hasPrefix("."),
              FileManager.default.fileExists(atPath: folder.appendingPathComponent(part).path) else {
            throw EdgeflowError(.io, "no model \(name) with \(part)/ under \(root.path); there: "
                                    + (available().isEmpty ? "nothing" : available().joined(separator: ", ")),
                                hint: "edgeflow models pull NAME --models-dir \(root.path)")
        }
        return folder
    }
}
