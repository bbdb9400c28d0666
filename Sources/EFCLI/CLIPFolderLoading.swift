// Loads a CLIP model folder (Immich's layout) for the photo verbs, each tower compiled to an
// executable beside its ONNX file on first use.

import EFCore
import EFSearch
import EdgeflowRuntime
import Foundation

enum CLIPFolderLoading {
    /// The folder's model with both towers compiled and loaded. The text tower is the int8 one
    /// `models quantize` made (textual/model.int8.efx) when it is there and newer than the ONNX
    /// file, unless `int8Text` is false; likewise the image tower (visual/model.int8.efx, whose
    /// vectors are stored under a name of their own) unless `int8Visual` is false.
    /// - Parameters:
    ///   - visualBatch: images per run of the fp32 image tower; from 2 on, the tower is also
    ///     compiled for that batch (visual/model-bB.efx) and checked against single runs (an int8
    ///     tower runs one image at a time).
    ///   - log: receives one line per tower compiled.
    static func load(_ path: String, int8Text: Bool = true, int8Visual: Bool = true, visualBatch: Int = 1,
                     log: (String) -> Void) throws -> CLIPModel {
        let folder = try CLIPFolder(url: CommandSupport.url(path))
        let visualIsInt8 = int8Visual && FolderModelCompiling.isCurrent(folder.visualInt8Executable,
                                                                        comparedWith: folder.visualONNX)
        let visual = visualIsInt8 ? try EdgeflowModel(contentsOf: folder.visualInt8Executable)
            : try FolderModelCompiling.executable(onnx: folder.visualONNX, efx: folder.visualExecutable, log: log)
        var textual: EdgeflowModel?
        if folder.hasTextual {
            let int8 = folder.textualInt8Executable
            if int8Text, FolderModelCompiling.isCurrent(int8, comparedWith: folder.textualONNX) {
                textual = try EdgeflowModel(contentsOf: int8)
            } else {
                textual = try FolderModelCompiling.executable(onnx: folder.textualONNX, efx: folder.textualExecutable,
                                                              log: log)
            }
        }
        let batch = visualIsInt8 ? nil : try BatchExecutableCompiling.runs(visual, onnx: folder.visualONNX,
                                                                           batch: visualBatch, log: log).batch
        return try CLIPModel(folder: folder, visual: visual, textual: textual, visualIsInt8: visualIsInt8,
                             visualBatch: batch)
    }

    /// The default model folder: ViT-B-32__openai under $EDGEFLOW_MODELS, else under
    /// ~/.cache/edgeflow/models, when it exists.
    static func defaultFolder() -> String? {
        FolderModelCompiling.modelRoots.map { ($0 as NSString).appendingPathComponent("ViT-B-32__openai") }
            .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("config.json")) }
    }

    /// Where `models pull` puts models and `models list` looks: $EDGEFLOW_MODELS, else ~/.cache/edgeflow/models.
    static func modelsDirectory() -> String {
        FolderModelCompiling.modelRoots[0]
    }
}
