// A models folder in Immich's layout for the serve-ml tests: the generated small CLIP folder,
// the generated buffalo_l and the real PP-OCRv4 models (linked) under an OCR model name.

import EFTestSupport
import Foundation
import XCTest

enum ImmichModelsFixture {
    /// A new temporary folder holding `ViT-B-32__openai`, `buffalo_l` and `ocrName`.
    /// - Throws: `XCTSkip` when scripts/setup.sh has not made the models.
    static func make(_ label: String, ocrName: String = "PP-OCRv4") throws -> URL {
        guard let clip = TestData.fetchedFile("models/clip-folder-small/ViT-B-32__openai"),
              let faces = TestData.fetchedFile("immich-models/buffalo_l"),
              let det = TestData.fetchedFile("models/ppocrv4/det.onnx"),
              let rec = TestData.fetchedFile("models/ppocrv4/rec.onnx") else {
            throw XCTSkip("scripts/setup.sh makes the model folders; it has not run")
        }
        let root = try TestData.temporaryDirectory(label)
        try FileManager.default.copyItem(at: clip, to: root.appendingPathComponent("ViT-B-32__openai"))
        try FileManager.default.copyItem(at: faces, to: root.appendingPathComponent("buffalo_l"))
        for (part, model) in [("detection", det), ("recognition", rec)] {
            let folder = root.appendingPathComponent("\(ocrName)/\(part)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.onnx"),
                                                       withDestinationURL: model)
        }
        return root
    }
}
