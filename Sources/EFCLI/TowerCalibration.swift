// What `edgeflow models quantize` calibrates a CLIP tower on and checks it with. The text tower:
// search-like texts (built in, or --captions) tokenized as queries are, checked on 16 built-in
// held-out texts. The image tower: the photos of --calib-set prepared by the folder's recipe as
// `photos index` prepares them, the last quarter of them (at most 16) held out for the check.

import EFCore
import EFQuantize
import EFSearch
import EdgeflowRuntime
import Foundation

struct TowerCalibration {
    /// The fp32 tower the int8 one is made from and compared with.
    var fp32: EdgeflowModel
    /// Its ONNX file, quantized after the fp optimizations.
    var onnx: URL
    /// Where the int8 executable goes when it passes the check.
    var target: URL
    var calibration: [[String: Tensor]]
    var heldOut: [[String: Tensor]]
    /// Photos of the calibration set that gave no sample (damaged, not a photo).
    var skipped: [CalibrationSet.SkippedFile] = []

    /// The most photos read for calibration, and the most held back from them for the check.
    static let photoLimit = 64, heldOutPhotoLimit = 16

    /// The text tower of `model` with `texts` to calibrate on.
    /// - Throws: `EdgeflowError.invalidModel` when the folder has no text tower; the tokenizer's errors.
    static func text(_ model: CLIPModel, texts: [String]) throws -> TowerCalibration {
        guard let textual = model.textual else {
            throw EdgeflowError(.invalidModel, "\(model.folder.url.path) has no text tower (textual/model.onnx) "
                                    + "to quantize")
        }
        func samples(_ texts: [String]) throws -> [[String: Tensor]] {
            try texts.map { try model.textInputs($0).inputs }
        }
        return TowerCalibration(fp32: textual, onnx: model.folder.textualONNX,
                                target: model.folder.textualInt8Executable, calibration: try samples(texts),
                                heldOut: try samples(CLIPCaptions.heldOut))
    }

    /// The image tower of `model` with the photos at `photos` (a folder, walked recursively in
    /// name order, or one photo): at most `photoLimit` + `heldOutPhotoLimit` are read; a quarter
    /// of those read (at least 1, at most `heldOutPhotoLimit`), the last in name order, are held out.
    /// - Throws: what `CalibrationSet.load` throws (an empty folder, every photo damaged, the
    ///   memory budget); `EdgeflowError.invalidInput` when fewer than 2 photos could be read.
    static func visual(_ model: CLIPModel, photos: URL, budget: MemoryBudget) throws -> TowerCalibration {
        let input = model.visual.inputs[0]
        let loading = ProgressLine("reading photos", unit: "files")
        let set = try CalibrationSet.load(from: photos, inputs: [CalibrationInput(name: input.name, dtype: input.dtype,
                                                                                 shape: input.shape)],
                                          recipe: model.recipe, limit: photoLimit + heldOutPhotoLimit,
                                          budgetBytes: budget.limitBytes, progress: loading.update)
        guard set.samples.count >= 2 else {
            throw EdgeflowError(.invalidInput, "\(photos.path) gave only 1 usable photo; the image tower needs "
                                    + "at least 2 (some to calibrate on, one to check with)",
                                hint: "give a folder of photos like those you will index (64 or more is best)")
        }
        let held = min(heldOutPhotoLimit, max(1, set.samples.count / 4))
        let split = set.samples.count - held
        return TowerCalibration(fp32: model.visual, onnx: model.folder.visualONNX,
                                target: model.folder.visualInt8Executable,
                                calibration: Array(set.samples[..<split]), heldOut: Array(set.samples[split...]),
                                skipped: set.skipped)
    }
}
