// Fuzz targets of the model side: the ONNX protobuf reader with the importer behind it, `.npy`,
// and the three parts of an `.efa` archive (the zip container, graph.json, weights.npz).

import EFArchive
import EFCore
import EFIR
import EFONNX
import Foundation

enum ModelFuzzTargets {
    static let all: [FuzzTarget] = [onnx, npy]

    static let onnx = FuzzTarget(name: "onnx",
        summary: "ONNX ModelProto bytes → OnnxModel(decoding:) → ONNXImporter.importModel (no external data)") {
        let model = try OnnxModel(decoding: $0)
        _ = try ONNXImporter.importModel(model, baseDirectory: nil)
    }

    static let npy = FuzzTarget(name: "npy", summary: ".npy bytes → NPY.readHeader and NPY.decode") {
        _ = try NPY.readHeader($0)
        _ = try NPY.decode($0)
    }
}
