// A text-reading (OCR) model folder in the layout Immich's OCR repositories use:
//   NAME/detection/model.onnx     PP-OCR DB detector, image → text probability map
//   NAME/recognition/model.onnx   PP-OCR CTC recognizer, 48-pixel-high line → characters
// (its character dictionary is in the ONNX metadata `character`), and optionally (not in
// Immich's layout)
//   NAME/classification/model.onnx   PP-OCR 0/180-degree text-line direction classifier
// which turns upside-down lines round before they are read. Executables are static-shape,
// so each input shape the reader meets is compiled once and kept beside the ONNX file, the
// shape in the name (detection/model-992x736.efx, recognition/model-w320.efx). Compiling is the
// caller's (build-side) job.

import EFCore
import Foundation

/// What a text-reading model folder holds.
public struct TextReaderFolder: Sendable {
    /// The folder's name, e.g. "PP-OCRv5_mobile" (the reader's name in the library).
    public var name: String
    public var url: URL
    /// The detector's shorter side (Immich's `maxResolution`, default 736; never enlarged).
    public var maxResolution: Int

    public var detectionONNX: URL { url.appendingPathComponent("detection/model.onnx") }
    public var recognitionONNX: URL { url.appendingPathComponent("recognition/model.onnx") }
    /// The direction classifier, when the folder has one.
    public var directionONNX: URL? {
        let file = url.appendingPathComponent("classification/model.onnx")
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }
    /// Where the direction classifier's executable is kept (one input shape).
    public var directionExecutable: URL { url.appendingPathComponent("classification/model.efx") }

    /// Where the detector compiled for a `width × height` input is kept.
    public func detectionExecutable(width: Int, height: Int) -> URL {
        url.appendingPathComponent("detection/model-\(width)x\(height).efx")
    }

    /// Where the recognizer compiled for `width`-pixel-wide lines is kept.
    public func recognitionExecutable(width: Int) -> URL {
        url.appendingPathComponent("recognition/model-w\(width).efx")
    }

    /// The folder at `url`.
    /// - Throws: `EdgeflowError.io` naming a missing model file; `.invalidArgument` for a
    ///   resolution outside 32…4096 or not a multiple of 32.
    public init(url: URL, maxResolution: Int = 736) throws {
        self.url = url.standardizedFileURL
        name = self.url.lastPathComponent
        guard (32...4096).contains(maxResolution), maxResolution % 32 == 0 else {
            throw EdgeflowError(.invalidArgument, "the text detector's resolution must be a multiple of 32 in "
                                    + "32…4096, not \(maxResolution)")
        }
        self.maxResolution = maxResolution
        for file in [detectionONNX, recognitionONNX] where !FileManager.default.fileExists(atPath: file.path) {
            throw EdgeflowError(.io, "\(file.path) is missing",
                                hint: "a text-reading model folder holds detection/model.onnx and "
                                    + "recognition/model.onnx (PP-OCR)")
        }
    }

    /// The folder's name with the detector resolution, and "+cls" with a direction classifier, as
    /// recorded in the library ("PP-OCRv4@736", "PP-OCRv4@736+cls"): another name reads again.
    public var readerName: String { "\(name)@\(maxResolution)" + (directionONNX == nil ? "" : "+cls") }
}
