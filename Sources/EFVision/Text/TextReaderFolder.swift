// A text-reading (OCR) model folder in the layout Immich's OCR repositories use:
//   NAME/detection/model.onnx     PP-OCR DB detector, image → text probability map
//   NAME/recognition/model.onnx   PP-OCR CTC recognizer, 48-pixel-high line → characters
// (its character dictionary is in the ONNX metadata). Compiled executables are kept beside the
// ONNX files, with the input size they were compiled for in the name (detection/model-736.efx,
// recognition/model-320.efx). Compiling is the caller's (build-side) job.

import EFCore
import Foundation

/// What a text-reading model folder holds.
public struct TextReaderFolder: Sendable {
    /// The folder's name, e.g. "PP-OCRv4" (the reader's name in the library).
    public var name: String
    public var url: URL
    /// The detector's square input side (Immich's `maxResolution`, default 736).
    public var detectionSide: Int
    /// The recognizer's input width (PP-OCR's 320 for 48-pixel-high lines).
    public var recognitionWidth = 320

    public var detectionONNX: URL { url.appendingPathComponent("detection/model.onnx") }
    public var recognitionONNX: URL { url.appendingPathComponent("recognition/model.onnx") }
    public var detectionExecutable: URL { url.appendingPathComponent("detection/model-\(detectionSide).efx") }
    public var recognitionExecutable: URL {
        url.appendingPathComponent("recognition/model-\(recognitionWidth).efx")
    }

    /// The folder at `url`.
    /// - Throws: `EdgeflowError.io` naming a missing model file; `.invalidArgument` for a
    ///   detection side outside 32…4096 or not a multiple of 32.
    public init(url: URL, detectionSide: Int = 736) throws {
        self.url = url.standardizedFileURL
        name = self.url.lastPathComponent
        guard (32...4096).contains(detectionSide), detectionSide % 32 == 0 else {
            throw EdgeflowError(.invalidArgument, "the text detector's input side must be a multiple of 32 in "
                                    + "32…4096, not \(detectionSide)")
        }
        self.detectionSide = detectionSide
        for file in [detectionONNX, recognitionONNX] where !FileManager.default.fileExists(atPath: file.path) {
            throw EdgeflowError(.io, "\(file.path) is missing",
                                hint: "a text-reading model folder holds detection/model.onnx and "
                                    + "recognition/model.onnx (PP-OCR)")
        }
    }

    /// The folder's name with the detector size, as recorded in the library ("PP-OCRv4@736").
    public var readerName: String { "\(name)@\(detectionSide)" }
}
